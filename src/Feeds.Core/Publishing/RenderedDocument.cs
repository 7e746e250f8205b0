using System.IO.Compression;
using System.Security.Cryptography;

namespace Feeds.Core.Publishing;

/// <summary>A content coding we send (RFC 9110 §8.4.1).</summary>
public enum ContentCoding
{
    Identity,
    Gzip,
    Brotli,
}

/// <summary>
/// A document served from the render cache — a section feed page or an HTML page — rendered once. Its gzip and brotli
/// forms are compressed once too, on the first request that asks for each, so serving it costs neither database work
/// nor compression.
/// </summary>
public sealed class RenderedDocument
{
    private readonly Representation _identity;
    private readonly Lazy<Representation> _gzip;
    private readonly Lazy<Representation> _brotli;

    public RenderedDocument(byte[] body, string contentType, DateTimeOffset lastModified, IReadOnlyList<LeftOutItem>? leftOut = null, bool isComplete = true)
    {
        ContentType = contentType;
        LastModified = lastModified;
        LeftOut = leftOut ?? [];
        IsComplete = isComplete;
        var hash = Convert.ToHexStringLower(SHA256.HashData(body).AsSpan(0, 16));
        // A strong ETag names one representation: each content coding gets its own (RFC 9110 §8.8.3).
        _identity = new Representation(body, $"\"{hash}\"");
        // Optimal, not smallest: a busy section is re-rendered every few seconds, and brotli's densest
        // setting costs a hundred times the CPU for a few percent of bytes.
        _gzip = new(() => new Representation(Compress(body, stream => new GZipStream(stream, CompressionLevel.Optimal)), $"\"{hash}-gzip\""));
        _brotli = new(() => new Representation(Compress(body, stream => new BrotliStream(stream, CompressionLevel.Optimal)), $"\"{hash}-br\""));
    }

    public string ContentType { get; }

    /// <summary>The entries the writer refused and the page was served without; empty as a rule.</summary>
    public IReadOnlyList<LeftOutItem> LeftOut { get; }

    public DateTimeOffset LastModified { get; }

    /// <summary>
    /// False when a part of the document could not be read (a section of the index): it is served, but never taken for
    /// its version's bytes, so a request after <see cref="RenderCache.RefreshInterval"/> tries again instead of showing
    /// the hole until something changes.
    /// </summary>
    public bool IsComplete { get; }

    public Representation this[ContentCoding coding] => coding switch
    {
        ContentCoding.Gzip => _gzip.Value,
        ContentCoding.Brotli => _brotli.Value,
        _ => _identity,
    };

    /// <summary>The uncompressed bytes.</summary>
    public byte[] Body => _identity.Body;

    public string ETag => _identity.ETag;

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

/// <summary>An item a page was served without because the writer refused it.</summary>
/// <param name="Reason">The writer's exception, type and message.</param>
public sealed record LeftOutItem(string SourceId, string ItemKey, long ItemId, string Reason);
