namespace Feeds.Core.Publishing;

/// <summary>The output formats of a section feed.</summary>
public enum OutputFormat
{
    Rss,
    Atom,
}

/// <summary>A section feed rendered once: its bytes and the validators HTTP caching needs.</summary>
/// <param name="ETag">A strong entity tag (quoted) derived from the bytes: the same data gives the same tag.</param>
public sealed record RenderedFeed(byte[] Body, string ContentType, string ETag, DateTimeOffset LastModified);
