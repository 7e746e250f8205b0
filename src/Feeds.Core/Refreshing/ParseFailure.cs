using System.Text;
using Feeds.Core.Parsing;

namespace Feeds.Core.Refreshing;

/// <summary>Why fetched bytes did not become a feed, as shown on the source's status and in logs.</summary>
public enum ParseFailure
{
    /// <summary>The document is something else: an HTML page, another XML vocabulary, nothing.</summary>
    NotAFeed,

    /// <summary>A feed that is not well-formed, or a format not read yet.</summary>
    Parse,

    /// <summary>The bytes do not decode in the declared or detected character encoding.</summary>
    Encoding,
}

internal static class ParseFailures
{
    public static ParseFailure Categorize(FeedParseException exception)
    {
        if (exception.Message.StartsWith("not a feed", StringComparison.OrdinalIgnoreCase))
            return ParseFailure.NotAFeed;
        for (Exception? inner = exception; inner is not null; inner = inner.InnerException)
        {
            // XmlReader reports undecodable bytes and unknown encoding names in its message, not in its type.
            if (inner is DecoderFallbackException || inner.Message.Contains("encoding", StringComparison.OrdinalIgnoreCase))
                return ParseFailure.Encoding;
        }
        return ParseFailure.Parse;
    }
}
