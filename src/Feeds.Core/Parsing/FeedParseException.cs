namespace Feeds.Core.Parsing;

/// <summary>Why bytes did not become a feed, as shown on the source's status and in logs.</summary>
public enum ParseFailure
{
    /// <summary>The document is something else: an HTML page, another XML vocabulary, JSON that is no JSON Feed, nothing.</summary>
    NotAFeed,

    /// <summary>A feed we refuse to read to the end: nesting too deep, entities that expand without bound.</summary>
    Unreadable,
}

/// <summary>
/// The bytes are not a feed we can read; the message names what they are and why. Undecodable bytes never
/// end here: they are read as windows-1252 instead.
/// </summary>
public sealed class FeedParseException(string message, ParseFailure failure, Exception? inner = null) : Exception(message, inner)
{
    public ParseFailure Failure { get; } = failure;
}
