using System.Collections.Concurrent;
using Feeds.Core.Sources;

namespace Feeds.Core.Fetching;

/// <summary>
/// Politeness and our own limits: at most <see cref="FetchOptions.PerHostConcurrency"/> requests in flight to
/// one host, their starts at least <see cref="FetchOptions.MinHostSpacing"/> apart, and at most
/// <see cref="FetchOptions.MaxConcurrency"/> fetches in flight overall, each counted until its answer has been used
/// (<see cref="Lease.HandOverGlobalSlot"/>), so answers are not fetched faster than they are worked on. A request takes its host slot before a global
/// one, so sources waiting on a busy host never hold up other hosts. A host's waiting fetches are served in the
/// order they came (SemaphoreSlim releases async waiters first in, first out), so a source that has just had
/// its turn queues behind the others.
/// </summary>
/// <remarks>
/// A slow source must not starve the other sources of its host: with one slot per host, a source that drips
/// its body holds the slot for the whole deadline, and every other source of the host waits that long. We
/// chose to shorten the deadline rather than to reorder the queue, because the queue is already fair and the
/// time is lost while the slow fetch holds the slot, not while others wait: a host on which a fetch timed out
/// in the last <see cref="SlowHostMemory"/> gets <see cref="SlowHostDeadlineShare"/> of the deadline
/// (10 s by default). Healthy feeds answer in well under that even when large; the slow source itself fails
/// sooner and backs off, and the host's other sources pass. Per host, not per source, because it is the
/// host's slot that is starved, and a second slow source on the same host is cut short from its first try.
/// </remarks>
public sealed class FetchThrottle(FetchingSettings settings, TimeProvider clock)
{
    /// <summary>How long a timed-out fetch keeps its host on the shorter deadline.</summary>
    public static readonly TimeSpan SlowHostMemory = TimeSpan.FromHours(1);

    /// <summary>The part of <see cref="FetchOptions.Timeout"/> a fetch from a recently slow host gets.</summary>
    public const double SlowHostDeadlineShare = 1.0 / 3;

    private readonly ConcurrentDictionary<string, Host> _hosts = new(StringComparer.OrdinalIgnoreCase);
    private Slots _global = new(settings.Fetch.MaxConcurrency);

    /// <summary>
    /// Waits for a slot to <paramref name="host"/>, for the host's spacing and for a global slot; dispose the lease
    /// when the response body is read. Further requests to the same host continue in the lease with
    /// <see cref="Lease.NextRequestAsync"/>.
    /// </summary>
    public async Task<Lease> EnterAsync(string host, CancellationToken cancellationToken)
    {
        var slot = _hosts.GetOrAdd(host, _ => new Host());
        var requests = slot.RequestSlots(settings.Fetch.PerHostConcurrency);
        await requests.WaitAsync(cancellationToken);
        var lease = new Lease(this, slot, requests, host);
        try
        {
            await lease.StartRequestAsync(cancellationToken);
        }
        catch
        {
            lease.Dispose();
            throw;
        }
        return lease;
    }

    /// <summary>The deadline of a fetch from <paramref name="host"/>: the full one, or a share of it while the host is known to be slow.</summary>
    public (TimeSpan Deadline, bool Shortened) DeadlineFor(string host)
    {
        var slow = _hosts.TryGetValue(host, out var slot) && slot.LastTimeout is { } at && clock.GetUtcNow() - at < SlowHostMemory;
        var timeout = settings.Fetch.Timeout;
        return slow ? (timeout * SlowHostDeadlineShare, true) : (timeout, false);
    }

    /// <summary>Notes that a fetch from <paramref name="host"/> ran out of its deadline, so the next ones get a shorter one.</summary>
    public void RecordTimeout(string host) =>
        _hosts.GetOrAdd(host, _ => new Host()).LastTimeout = clock.GetUtcNow();

    /// <summary>Waits for the host's next start in its spacing, then takes a global slot and returns the semaphore it came from.</summary>
    private async Task<SemaphoreSlim> StartAsync(Host slot, CancellationToken cancellationToken)
    {
        var spacing = settings.Fetch.MinHostSpacing;
        var wait = slot.ReserveStart(clock.GetUtcNow(), spacing);
        if (wait > TimeSpan.Zero)
            await Task.Delay(wait, clock, cancellationToken);
        var global = GlobalSlots();
        await global.WaitAsync(cancellationToken);
        // A start later than booked (a busy global cap, a busy machine) pushes the host's next start back too:
        // the spacing holds between the requests the host actually sees.
        slot.Started(clock.GetUtcNow(), spacing);
        return global;
    }

    /// <summary>
    /// The global slots for <see cref="FetchOptions.MaxConcurrency"/> as now configured. After an edit of the number the
    /// next fetches queue on new slots of the new size; the fetches that hold or wait for the old ones finish on those,
    /// so for as long as they run the old and the new limits add up.
    /// </summary>
    private SemaphoreSlim GlobalSlots()
    {
        var size = settings.Fetch.MaxConcurrency;
        var current = Volatile.Read(ref _global);
        if (current.Size == size)
            return current.Semaphore;
        var resized = new Slots(size);
        return (Interlocked.CompareExchange(ref _global, resized, current) == current ? resized : Volatile.Read(ref _global)).Semaphore;
    }

    /// <summary>A semaphore and the number of slots it was made with.</summary>
    internal sealed class Slots(int size)
    {
        public int Size { get; } = size;

        public SemaphoreSlim Semaphore { get; } = new(size, size);
    }

    /// <summary>
    /// One fetch's hold on a slot of its host, and a global slot while a request is under way. A redirect to the same
    /// host continues in it (<see cref="NextRequestAsync"/>), so a chain of hops does not queue again behind every other
    /// source of the host for each hop, yet still keeps the host's spacing and its one-at-a-time.
    /// </summary>
    public sealed class Lease : IDisposable
    {
        private readonly FetchThrottle _throttle;
        private readonly Host _slot;
        private readonly SemaphoreSlim _hostRequests;
        private SemaphoreSlim? _global;
        private bool _disposed;

        internal Lease(FetchThrottle throttle, Host slot, SemaphoreSlim hostRequests, string host) =>
            (_throttle, _slot, _hostRequests, Host) = (throttle, slot, hostRequests, host);

        /// <summary>The host this lease holds a slot of.</summary>
        public string Host { get; }

        /// <summary>
        /// Before another request to the same host: gives the global slot back while the host's spacing passes,
        /// then takes one again. The host slot is kept throughout.
        /// </summary>
        public async Task NextRequestAsync(CancellationToken cancellationToken)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ReleaseGlobal();
            await StartRequestAsync(cancellationToken);
        }

        internal async Task StartRequestAsync(CancellationToken cancellationToken)
        {
            _global = await _throttle.StartAsync(_slot, cancellationToken);
        }

        /// <summary>
        /// Ends the requests: the host gets its slot back, and the global slot, if held, passes to the caller, who
        /// disposes it when done with the answer. Fetching stays bounded by the work behind it: with the slot given back
        /// as soon as the bytes were in, 2,000 sources due together were all fetched long before they could be parsed,
        /// and every body waited in memory.
        /// </summary>
        public IDisposable? HandOverGlobalSlot()
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _disposed = true;
            _hostRequests.Release();
            if (_global is not { } global)
                return null;
            _global = null;
            return new GlobalSlot(global);
        }

        private void ReleaseGlobal()
        {
            if (_global is not { } global)
                return;
            _global = null;
            global.Release();
        }

        public void Dispose()
        {
            if (_disposed)
                return;
            _disposed = true;
            ReleaseGlobal();
            _hostRequests.Release();
        }
    }

    private sealed class GlobalSlot(SemaphoreSlim global) : IDisposable
    {
        private SemaphoreSlim? _global = global;

        public void Dispose() => Interlocked.Exchange(ref _global, null)?.Release();
    }

    internal sealed class Host
    {
        private readonly Lock _lock = new();
        private DateTimeOffset _nextStart = DateTimeOffset.MinValue;
        private Slots? _requests;

        /// <summary>
        /// The host's request slots for <see cref="FetchOptions.PerHostConcurrency"/> as now configured; after an edit of
        /// the number, new slots of the new size (the fetches on the old ones finish there, as with the global slots).
        /// </summary>
        public SemaphoreSlim RequestSlots(int concurrency)
        {
            lock (_lock)
            {
                if (_requests?.Size != concurrency)
                    _requests = new Slots(concurrency);
                return _requests.Semaphore;
            }
        }

        private long _lastTimeoutTicks;

        /// <summary>When a fetch from this host last ran out of its deadline (UTC ticks underneath, so reads never tear).</summary>
        public DateTimeOffset? LastTimeout
        {
            get => Volatile.Read(ref _lastTimeoutTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;
            set => Volatile.Write(ref _lastTimeoutTicks, value?.UtcTicks ?? 0);
        }

        /// <summary>Books the next start time for this host and says how long to wait for it.</summary>
        public TimeSpan ReserveStart(DateTimeOffset now, TimeSpan spacing)
        {
            lock (_lock)
            {
                var start = _nextStart > now ? _nextStart : now;
                _nextStart = start + spacing;
                return start - now;
            }
        }

        public void Started(DateTimeOffset now, TimeSpan spacing)
        {
            lock (_lock)
            {
                if (now + spacing > _nextStart)
                    _nextStart = now + spacing;
            }
        }
    }
}
