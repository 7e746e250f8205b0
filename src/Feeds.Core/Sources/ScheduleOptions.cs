namespace Feeds.Core.Sources;

/// <summary>Bounds of the adaptive schedule and of backoff; set from the <c>fetching</c> object of <c>feeds.json</c>.</summary>
public sealed record ScheduleOptions
{
    /// <summary>The shortest interval a source's own rhythm may bring it to.</summary>
    public TimeSpan MinInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest interval a quiet source's rhythm may stretch it to.</summary>
    public TimeSpan MaxInterval { get; init; } = TimeSpan.FromHours(12);

    /// <summary>The longest wait after consecutive failures; failing sources are retried at least this often, forever.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromHours(6);

    /// <summary>
    /// The most polls the single node's schedule has in flight at once (each waiting for its fetch, fetching, or saving);
    /// null for twice <see cref="FetchOptions.MaxConcurrency"/>, which keeps the fetch slots busy while answers are saved.
    /// </summary>
    public int? MaxPollsInFlight { get; init; }
}
