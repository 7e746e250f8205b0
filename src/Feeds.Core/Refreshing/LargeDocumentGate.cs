namespace Feeds.Core.Refreshing;

/// <summary>
/// Lets one large document at a time through parsing, normalization and its save. Reading a document costs several
/// times its size while it lasts (a 10 MB feed of 100,000 items builds some 80 MB of tree, and more in garbage on the
/// way), so without a gate the peak memory grows with the number of large bodies that happen to arrive together; with
/// it, the peak is one large document's plus the small ones', whatever the sources send.
/// </summary>
public sealed class LargeDocumentGate
{
    /// <summary>Bodies of this size and more are large; a news feed is typically 20–500 KB.</summary>
    public const int LargeBodyBytes = 1024 * 1024;

    private readonly SemaphoreSlim _large = new(1, 1);

    /// <summary>Waits for the large-document slot when <paramref name="bodyBytes"/> makes it large; null (no wait) otherwise.</summary>
    public async ValueTask<IDisposable?> EnterAsync(int bodyBytes, CancellationToken cancellationToken)
    {
        if (bodyBytes < LargeBodyBytes)
            return null;
        await _large.WaitAsync(cancellationToken);
        return new Slot(_large);
    }

    private sealed class Slot(SemaphoreSlim large) : IDisposable
    {
        private SemaphoreSlim? _large = large;

        public void Dispose() => Interlocked.Exchange(ref _large, null)?.Release();
    }
}
