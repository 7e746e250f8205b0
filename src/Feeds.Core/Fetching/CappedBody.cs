using System.Buffers;

namespace Feeds.Core.Fetching;

/// <summary>
/// One response body read through a size cap into as little memory as its framing allows: with a Content-Length,
/// one array of that size; without, pooled chunks copied once into an array of the exact size. Used once.
/// </summary>
internal sealed class CappedBody(long cap)
{
    /// <summary>Under the large-object threshold (85,000 bytes), so a chunk the pool does not keep is cheap garbage.</summary>
    private const int ChunkSize = 64 * 1024;

    private readonly List<Chunk> _chunks = [];
    private long _length;

    /// <summary>The whole body, or null as soon as it passes the cap.</summary>
    public async Task<byte[]?> ReadAsync(Stream stream, long? declaredLength, CancellationToken cancellationToken)
    {
        if (declaredLength is { } declared)
        {
            var whole = GC.AllocateUninitializedArray<byte>(checked((int)declared));
            var read = await stream.ReadAtLeastAsync(whole, whole.Length, throwOnEndOfStream: false, cancellationToken);
            if (read < whole.Length)
                throw new IOException($"the body ended after {read:N0} of the {declared:N0} bytes its Content-Length declared");
            Add(new Chunk(whole, read, Pooled: false));
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

    private byte[] Join()
    {
        // The usual case: the one array of the declared length, nothing to copy.
        if (_chunks is [{ Pooled: false } whole, { Count: 0 }] && whole.Count == whole.Array.Length)
            return whole.Array;
        var body = GC.AllocateUninitializedArray<byte>(checked((int)_length));
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
        return body;
    }

    private readonly record struct Chunk(byte[] Array, int Count, bool Pooled);
}
