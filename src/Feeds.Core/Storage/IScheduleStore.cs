namespace Feeds.Core.Storage;

/// <summary>
/// The schedule's view of the sources' stored due times (<see cref="SourceState.NextDueAt"/>, written by each poll): which
/// sources are due, read from an index on the due time so the work grows with the polls that are due, not with the
/// catalogue. Used by the single node's due queue; a cluster keeps its schedule in Quartz's tables.
/// </summary>
public interface IScheduleStore
{
    /// <summary>
    /// Up to <paramref name="limit"/> sources due at or before <paramref name="upTo"/>, earliest first (ties by id), after
    /// <paramref name="after"/> in that order when given: a reader that could not take every due source at once goes on
    /// where it stopped. A source without a due time is never due here.
    /// </summary>
    Task<IReadOnlyList<DueSource>> GetDueSourcesAsync(DateTimeOffset upTo, DueSource? after, int limit, CancellationToken cancellationToken);

    /// <summary>The earliest due time later than <paramref name="after"/>; null when no source is due after it.</summary>
    Task<DateTimeOffset?> GetEarliestDueAfterAsync(DateTimeOffset after, CancellationToken cancellationToken);

    /// <summary>
    /// Moves a source's due time (a changed schedule, a due time its poll found it was not yet at), or clears it
    /// (null: a source the config no longer has, which the schedule then never meets again).
    /// </summary>
    Task SetDueAtAsync(string sourceId, DateTimeOffset? dueAt, CancellationToken cancellationToken);
}

/// <summary>A source and the time its next scheduled poll is due.</summary>
public sealed record DueSource(string SourceId, DateTimeOffset DueAt);
