namespace Feeds.Core.Parsing;

/// <summary>The bytes are not a feed we can read; the message names what they are and why.</summary>
public sealed class FeedParseException(string message, Exception? inner = null) : Exception(message, inner);
