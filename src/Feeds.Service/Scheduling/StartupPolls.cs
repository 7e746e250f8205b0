using System.Collections.Concurrent;

namespace Feeds.Service.Scheduling;

/// <summary>
/// The start-up polls still owed: each source is polled once when the service starts (or when it is added, or its
/// address changes), whatever its schedule says, and only once. A source has two triggers that may fire together
/// at start-up, the start-up poll and the first schedule check, and Quartz runs them one after the other in either
/// order (the order is not fixed when the thread pool is busy). Whichever runs first pays the start-up poll; the
/// other is an ordinary check that finds the source not due. Without this a source was polled twice within
/// seconds — the second time after queueing behind a busy host, so 35 s or 180 s after a poll on a schedule of
/// a minute, or despite a <c>Cache-Control: max-age</c> of ten minutes.
/// </summary>
internal sealed class StartupPolls
{
    private readonly ConcurrentDictionary<string, byte> _owed = new(StringComparer.Ordinal);

    /// <summary>The next run of <paramref name="sourceId"/>'s job polls it whatever its schedule says.</summary>
    public void Owe(string sourceId) => _owed[sourceId] = 0;

    /// <summary>True once, for the first run after <see cref="Owe"/>: that run is the start-up poll.</summary>
    public bool TryPay(string sourceId) => _owed.TryRemove(sourceId, out _);

    /// <summary>A removed source is owed nothing.</summary>
    public void Forget(string sourceId) => _owed.TryRemove(sourceId, out _);
}
