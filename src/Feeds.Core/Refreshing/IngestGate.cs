using System.Runtime;
using Feeds.Core.Fetching;

namespace Feeds.Core.Refreshing;

/// <summary>
/// Bounds what ingest holds in memory at once. A fetched document is parsed and normalized only while it holds one of a
/// few slots, and a large one is parsed, normalized and saved only while no other large one is in.
/// </summary>
/// <remarks>
/// <para>The slots: parsing and normalizing take the CPU, so more documents in at once than the machine can work on
/// only wait there, each holding its body and its tree. Without the bound, 2,000 sources due together left several
/// hundred polls fetched and waiting, and the working set passed 600 MB for 40,000 items. With it, and with a fetch
/// counting against the fetch limit until its answer is saved (<c>FeedFetcher.FetchAsync</c>), at most that many
/// answers wait and only the slots' documents are being normalized. Twice the core count. An ordinary document gives
/// its slot back once normalized (<see cref="Turn.Normalized"/>): its save waits for the store's one writer, which
/// saves the polls waiting together in one transaction, while the next documents are parsed.</para>
/// <para>The large-document slot: reading a document costs several times its size while it lasts (a 10 MB feed of
/// 100,000 items builds some 80 MB of tree, and more in garbage on the way), so without it the peak memory grows with
/// the number of large bodies that happen to arrive together; with it, the peak is one large document's plus the small
/// ones', whatever the sources send. It is taken first, so a large document waiting for it holds no ordinary slot.</para>
/// </remarks>
public sealed class IngestGate(int slots)
{
    private readonly SemaphoreSlim _large = new(1, 1);
    private readonly SemaphoreSlim _slots = new(slots, slots);

    /// <summary>A gate with twice the machine's core count of slots.</summary>
    public IngestGate() : this(2 * Environment.ProcessorCount)
    {
    }

    /// <summary>Waits for the large-document slot when <paramref name="bodyBytes"/> makes the document large, then for an ordinary slot; dispose the answer when the document is saved.</summary>
    public async ValueTask<Turn> EnterAsync(int bodyBytes, CancellationToken cancellationToken)
    {
        var large = bodyBytes >= FetchResult.Fetched.LargeBodyBytes ? _large : null;
        if (large is not null)
        {
            await large.WaitAsync(cancellationToken);
            CollectGarbage();
        }
        try
        {
            await _slots.WaitAsync(cancellationToken);
        }
        catch
        {
            large?.Release();
            throw;
        }
        return new Turn(_slots, large);
    }

    /// <summary>A document's time in the gate, from its parse until its save.</summary>
    public sealed class Turn : IDisposable
    {
        private readonly SemaphoreSlim _slots;
        private readonly SemaphoreSlim? _large;
        private int _slotHeld = 1;
        private int _disposed;

        internal Turn(SemaphoreSlim slots, SemaphoreSlim? large) => (_slots, _large) = (slots, large);

        /// <summary>
        /// The document is parsed and normalized. An ordinary one gives its slot back now: what it holds while its save
        /// waits for the store's writer is its body and its normalized items, bounded by the fetch limit, and meanwhile
        /// another document can be parsed (held through the save, the slots filled with saves waiting for the one writer
        /// and left a core idle). A large document keeps both until disposed: its normalized items are large too.
        /// </summary>
        public void Normalized()
        {
            if (_large is null)
                ReleaseSlot();
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
                return;
            ReleaseSlot();
            if (_large is null)
                return;
            CollectGarbage();
            _large.Release();
        }

        private void ReleaseSlot()
        {
            if (Interlocked.Exchange(ref _slotHeld, 0) == 1)
                _slots.Release();
        }
    }

    /// <summary>
    /// A large document starts on a collected heap and leaves one. Its ~100 MB of garbage is mostly in generation 2 and
    /// the large-object heap, which the GC collects only once their budgets run out, so without this the next large
    /// document, or the garbage of the small ones meanwhile, stacks on top of it. A full compacting collection of a heap
    /// this small takes milliseconds, next to the second or more the document's parse takes.
    /// </summary>
    private static void CollectGarbage()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }
}
