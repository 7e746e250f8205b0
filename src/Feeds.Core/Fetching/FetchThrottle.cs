using System.Collections.Concurrent;

namespace Feeds.Core.Fetching;

/// <summary>
/// Politeness and our own limits: at most <see cref="FetchOptions.PerHostConcurrency"/> requests in flight to
/// one host, their starts at least <see cref="FetchOptions.MinHostSpacing"/> apart, and at most
/// <see cref="FetchOptions.MaxConcurrency"/> in flight overall. A request takes its host slot before a global
/// one, so sources waiting on a busy host never hold up other hosts.
/// </summary>
public sealed class FetchThrottle(FetchOptions options, TimeProvider clock)
{
    private readonly SemaphoreSlim _global = new(options.MaxConcurrency, options.MaxConcurrency);
    private readonly ConcurrentDictionary<string, Host> _hosts = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Waits for a slot to <paramref name="host"/>; dispose the lease when the response body is read.</summary>
    public async Task<Lease> EnterAsync(string host, CancellationToken cancellationToken)
    {
        var slot = _hosts.GetOrAdd(host, _ => new Host(options.PerHostConcurrency));
        await slot.Requests.WaitAsync(cancellationToken);
        try
        {
            var wait = slot.ReserveStart(clock.GetUtcNow(), options.MinHostSpacing);
            if (wait > TimeSpan.Zero)
                await Task.Delay(wait, clock, cancellationToken);
            await _global.WaitAsync(cancellationToken);
            // A start later than booked (a busy global cap, a busy machine) pushes the host's next start back too:
            // the spacing holds between the requests the host actually sees.
            slot.Started(clock.GetUtcNow(), options.MinHostSpacing);
        }
        catch
        {
            slot.Requests.Release();
            throw;
        }
        return new Lease(this, slot);
    }

    /// <summary>One request's hold on its host slot and a global slot.</summary>
    public sealed class Lease : IDisposable
    {
        private readonly FetchThrottle _throttle;
        private Host? _host;

        internal Lease(FetchThrottle throttle, Host host) => (_throttle, _host) = (throttle, host);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _host, null) is not { } host)
                return;
            _throttle._global.Release();
            host.Requests.Release();
        }
    }

    internal sealed class Host(int concurrency)
    {
        private readonly Lock _lock = new();
        private DateTimeOffset _nextStart = DateTimeOffset.MinValue;

        public SemaphoreSlim Requests { get; } = new(concurrency, concurrency);

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
