namespace Feeds.Core.Sources;

/// <summary>
/// The <c>fetching</c> object in force: the limits and manners of a fetch and the bounds of the schedule. A valid edit
/// of the config swaps both at once (<see cref="Apply"/>), and every fetch and poll that starts after it reads the new
/// ones; one already under way finishes on the ones it started with.
/// </summary>
public sealed class FetchingSettings(FetchOptions fetch, ScheduleOptions schedule)
{
    private volatile InForce _current = new(fetch, schedule);

    public FetchingSettings(FetchOptions fetch)
        : this(fetch, new ScheduleOptions())
    {
    }

    /// <summary>How a fetch is made; read once per fetch, so one fetch sees one set of limits.</summary>
    public FetchOptions Fetch => _current.Fetch;

    /// <summary>The bounds of the adaptive schedule and of backoff.</summary>
    public ScheduleOptions Schedule => _current.Schedule;

    /// <summary>Keeps these settings to the <c>fetching</c> object of every edit <paramref name="configs"/> puts in force.</summary>
    public void Follow(FeedsConfigMonitor configs) => configs.Changed += change =>
    {
        if (change.FetchingChanged)
            Apply(change.New);
    };

    /// <summary>Puts the <c>fetching</c> object of <paramref name="config"/> in force for the next fetches.</summary>
    public void Apply(FeedsConfig config) => _current = new InForce(config.Fetching, config.Scheduling);

    private sealed record InForce(FetchOptions Fetch, ScheduleOptions Schedule);
}
