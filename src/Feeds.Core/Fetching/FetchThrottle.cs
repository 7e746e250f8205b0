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
public sealed class FetchThrottle(FetchOptions options, TimeProvider clock)
{
    /// <summary>How long a timed-out fetch keeps its host on the shorter deadline.</summary>
    public static readonly TimeSpan SlowHostMemory = TimeSpan.FromHours(1);

    /// <summary>The part of <see cref="FetchOptions.Timeout"/> a fetch from a recently slow host gets.</summary>
    public const double SlowHostDeadlineShare = 1.0 / 3;

    private readonly SemaphoreSlim _global = new(options.MaxConcurrency, options.MaxConcurrency);
    private readonly ConcurrentDictionary<string, Host> _hosts = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Waits for a slot to <paramref name="host"/>, for the host's spacing and for a global slot; dispose the lease
    /// when the response body is read. Further requests to the same host continue in the lease with
    /// <see cref="Lease.NextRequestAsync"/>.
    /// </summary>
    public async Task<Lease> EnterAsync(string host, CancellationToken cancellationToken)
    {
        var slot = _hosts.GetOrAdd(host, _ => new Host(options.PerHostConcurrency));
        await slot.Requests.WaitAsync(cancellationToken);
        var lease = new Lease(this, slot, host);
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
        return slow ? (options.Timeout * SlowHostDeadlineShare, true) : (options.Timeout, false);
    }

    /// <summary>Notes that a fetch from <paramref name="host"/> ran out of its deadline, so the next ones get a shorter one.</summary>
    public void RecordTimeout(string host) =>
        _hosts.GetOrAdd(host, _ => new Host(options.PerHostConcurrency)).LastTimeout = clock.GetUtcNow();

    /// <summary>Waits for the host's next start in its spacing, then takes a global slot.</summary>
    private async Task StartAsync(Host slot, CancellationToken cancellationToken)
    {
        var wait = slot.ReserveStart(clock.GetUtcNow(), options.MinHostSpacing);
        if (wait > TimeSpan.Zero)
            await Task.Delay(wait, clock, cancellationToken);
        await _global.WaitAsync(cancellationToken);
        // A start later than booked (a busy global cap, a busy machine) pushes the host's next start back too:
        // the spacing holds between the requests the host actually sees.
        slot.Started(clock.GetUtcNow(), options.MinHostSpacing);
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
        private bool _holdsGlobal;
        private bool _disposed;

        internal Lease(FetchThrottle throttle, Host slot, string host) => (_throttle, _slot, Host) = (throttle, slot, host);

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
            await _throttle.StartAsync(_slot, cancellationToken);
            _holdsGlobal = true;
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
            _slot.Requests.Release();
            if (!_holdsGlobal)
                return null;
            _holdsGlobal = false;
            return new GlobalSlot(_throttle._global);
        }

        private void ReleaseGlobal()
        {
            if (!_holdsGlobal)
                return;
            _holdsGlobal = false;
            _throttle._global.Release();
        }

        public void Dispose()
        {
            if (_disposed)
                return;
            _disposed = true;
            ReleaseGlobal();
            _slot.Requests.Release();
        }
    }

    private sealed class GlobalSlot(SemaphoreSlim global) : IDisposable
    {
        private SemaphoreSlim? _global = global;

        public void Dispose() => Interlocked.Exchange(ref _global, null)?.Release();
    }

    internal sealed class Host(int concurrency)
    {
        private readonly Lock _lock = new();
        private DateTimeOffset _nextStart = DateTimeOffset.MinValue;

        public SemaphoreSlim Requests { get; } = new(concurrency, concurrency);

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
