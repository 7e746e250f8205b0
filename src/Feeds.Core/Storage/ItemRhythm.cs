namespace Feeds.Core.Storage;

/// <summary>
/// A feed's rhythm, kept on its <see cref="SourceState"/>: the oldest counted item date of its last full body and how many
/// dated items it had. From it the schedule (Refreshing/PollSchedule) recomputes the interval as time passes.
/// </summary>
public sealed record ItemRhythm(DateTimeOffset Oldest, int Items)
{
    /// <summary>How many of a feed's newest item dates are counted.</summary>
    private const int Sample = 50;

    /// <summary>The rhythm of a feed's item dates (future dates left out), or null when fewer than two are dated.</summary>
    public static ItemRhythm? Of(IEnumerable<DateTimeOffset> itemDates, DateTimeOffset now)
    {
        var dates = itemDates.Where(date => date <= now).Distinct().OrderDescending().Take(Sample).ToList();
        return dates.Count < 2 ? null : new ItemRhythm(dates[^1], dates.Count);
    }

    /// <summary>
    /// Half the average gap between items, counting the time since the newest one: a feed that has fallen
    /// silent slows down as time passes, without a new body to tell us.
    /// </summary>
    public TimeSpan HalfAverageGap(DateTimeOffset now) => (now - Oldest) / Items / 2;
}
