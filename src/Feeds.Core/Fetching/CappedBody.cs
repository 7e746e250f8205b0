using System.Buffers;

namespace Feeds.Core.Fetching;

/// <summary>
/// One response body read through a size cap into as little memory as its framing allows: with a Content-Length,
/// one array of that size; without, pooled chunks copied once into an array of that size. A body under
/// <see cref="FetchResult.Fetched.LargeBodyBytes"/> goes into an array rented from the shared pool (<see cref="Body.Rented"/>),
/// which its user gives back when done. Used once.
/// </summary>
/// <remarks>
/// Why rented: a news feed of 20 items is about 110 KB, over the large-object threshold (85,000 bytes), and the
/// large-object heap is swept only by a full collection. A cold ingest of 20,000 sources allocated one such array per
/// poll, and the large-object heap swung between 35 and 60 MB between full collections, two of them a second.
/// A large body is not pooled: the pool would keep its array resident for good.
/// </remarks>
internal sealed class CappedBody(long cap)
{
    /// <summary>Under the large-object threshold (85,000 bytes), so a chunk the pool does not keep is cheap garbage.</summary>
    private const int ChunkSize = 64 * 1024;

    private readonly List<Chunk> _chunks = [];
    private long _length;

    /// <summary>A body read in full: <see cref="Length"/> bytes at the start of <see cref="Array"/>, which is the pool's when <see cref="Rented"/>.</summary>
    public readonly record struct Body(byte[] Array, int Length, bool Rented)
    {
        public ReadOnlyMemory<byte> Bytes => Array.AsMemory(0, Length);
    }

    /// <summary>The whole body, or null as soon as it passes the cap.</summary>
    public async Task<Body?> ReadAsync(Stream stream, long? declaredLength, CancellationToken cancellationToken)
    {
        if (declaredLength is { } declared)
        {
            var length = checked((int)declared);
            var (whole, rented) = BodyArray(length);
            // Held as a chunk until the body is complete, so a failed read gives a rented array back (ReturnChunks).
            Add(new Chunk(whole, 0, Pooled: rented));
            var read = await stream.ReadAtLeastAsync(whole.AsMemory(0, length), length, throwOnEndOfStream: false, cancellationToken);
            if (read < length)
                throw new IOException($"the body ended after {read:N0} of the {declared:N0} bytes its Content-Length declared");
            _chunks[0] = _chunks[0] with { Count = read };
            _length = read;
            // Content-Length frames the body, so the stream ends here; the chunked reading below only confirms it
            // (one pooled chunk rented and given back), and reads on, capped, should a server send more than it said.
        }
        while (true)
        {
            var chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
            // Fewer bytes than asked for only at the end of the body.
            var read = await stream.ReadAtLeastAsync(chunk, chunk.Length, throwOnEndOfStream: false, cancellationToken);
            Add(new Chunk(chunk, read, Pooled: true));
            if (_length > cap)
                return null;
            if (read < chunk.Length)
                return Join();
        }
    }

    /// <summary>Gives every chunk not yet copied back to the pool; call when done, whatever the outcome.</summary>
    public void ReturnChunks()
    {
        foreach (var chunk in _chunks.Where(chunk => chunk.Pooled))
            ArrayPool<byte>.Shared.Return(chunk.Array);
        _chunks.Clear();
    }

    private void Add(Chunk chunk)
    {
        _chunks.Add(chunk);
        _length += chunk.Count;
    }

    private Body Join()
    {
        var length = checked((int)_length);
        // The usual case: the one array of the declared length, nothing to copy; it is the caller's now.
        if (_chunks is [var whole, { Count: 0 }] && whole.Count == length)
        {
            _chunks[0] = whole with { Pooled = false };
            return new Body(whole.Array, length, whole.Pooled);
        }
        var (body, rented) = BodyArray(length);
        var offset = 0;
        for (var i = 0; i < _chunks.Count; i++)
        {
            var chunk = _chunks[i];
            chunk.Array.AsSpan(0, chunk.Count).CopyTo(body.AsSpan(offset));
            offset += chunk.Count;
            if (chunk.Pooled)
                ArrayPool<byte>.Shared.Return(chunk.Array);
            // Copied and returned: neither held here nor returned twice by ReturnChunks.
            _chunks[i] = chunk with { Array = [], Pooled = false };
        }
        return new Body(body, length, rented);
    }

    /// <summary>An array for a whole body of <paramref name="length"/> bytes: the pool's, unless the body is large.</summary>
    private static (byte[] Array, bool Rented) BodyArray(int length) =>
        length < FetchResult.Fetched.LargeBodyBytes
            ? (ArrayPool<byte>.Shared.Rent(length), true)
            : (GC.AllocateUninitializedArray<byte>(length), false);

    private readonly record struct Chunk(byte[] Array, int Count, bool Pooled);
}
