using Feeds.Core.Fetching;

namespace Feeds.Core.Refreshing;

/// <summary>
/// Tells a source's own failure from a network-wide outage, so that losing our uplink does not push every
/// source into long backoff. It keeps the latest outcome per host for <see cref="Window"/>: when at least
/// <see cref="MinimumUnreachableHosts"/> hosts were unreachable (no connection, timeout, TLS) and more than
/// nine in ten of the hosts heard from were, the failure is taken as ours, not the source's. Any HTTP answer,
/// even an error status, proves the network works.
/// </summary>
public sealed class OutageDetector(TimeProvider clock)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(30);
    public const int MinimumUnreachableHosts = 3;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, (DateTimeOffset At, bool Reached)> _latest = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>True for the failures that an outage on our side would cause too.</summary>
    public static bool IsUnreachable(FetchFailure failure) => failure is FetchFailure.Network or FetchFailure.Timeout or FetchFailure.Tls;

    public void Record(string host, bool reached)
    {
        lock (_lock)
            _latest[host] = (clock.GetUtcNow(), reached);
    }

    public bool LooksNetworkWide()
    {
        var since = clock.GetUtcNow() - Window;
        int reached = 0, unreachable = 0;
        lock (_lock)
        {
            foreach (var (host, outcome) in _latest.ToList())
            {
                if (outcome.At < since)
                    _latest.Remove(host);
                else if (outcome.Reached)
                    reached++;
                else
                    unreachable++;
            }
        }
        return unreachable >= MinimumUnreachableHosts && reached * 9 < unreachable;
    }
}
