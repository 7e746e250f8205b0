using System.IO.Compression;
using System.Security.Cryptography;

namespace Feeds.Core.Publishing;

/// <summary>The output formats of a section feed.</summary>
public enum OutputFormat
{
    Rss,
    Atom,
    Json,
}

/// <summary>A content coding we send (RFC 9110 §8.4.1).</summary>
public enum ContentCoding
{
    Identity,
    Gzip,
    Brotli,
}

/// <summary>
/// A section feed page rendered once, with its gzip and brotli forms compressed once too, so serving it
/// costs neither database work nor compression.
/// </summary>
public sealed class RenderedFeed
{
    private readonly Dictionary<ContentCoding, Representation> _representations;

    public RenderedFeed(byte[] body, string contentType, DateTimeOffset lastModified)
    {
        ContentType = contentType;
        LastModified = lastModified;
        var hash = Convert.ToHexStringLower(SHA256.HashData(body).AsSpan(0, 16));
        // A strong ETag names one representation: each content coding gets its own (RFC 9110 §8.8.3).
        _representations = new()
        {
            [ContentCoding.Identity] = new(body, $"\"{hash}\""),
            [ContentCoding.Gzip] = new(Compress(body, stream => new GZipStream(stream, CompressionLevel.SmallestSize)), $"\"{hash}-gzip\""),
            [ContentCoding.Brotli] = new(Compress(body, stream => new BrotliStream(stream, CompressionLevel.SmallestSize)), $"\"{hash}-br\""),
        };
    }

    public string ContentType { get; }

    public DateTimeOffset LastModified { get; }

    public Representation this[ContentCoding coding] => _representations[coding];

    /// <summary>The uncompressed bytes.</summary>
    public byte[] Body => _representations[ContentCoding.Identity].Body;

    public string ETag => _representations[ContentCoding.Identity].ETag;

    private static byte[] Compress(byte[] body, Func<Stream, Stream> compressor)
    {
        using var buffer = new MemoryStream();
        using (var compressed = compressor(buffer))
            compressed.Write(body);
        return buffer.ToArray();
    }
}

/// <param name="ETag">A strong entity tag, quoted.</param>
public sealed record Representation(byte[] Body, string ETag);
