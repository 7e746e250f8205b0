namespace Feeds.Core.Storage;

/// <summary>
/// What the status pictures read: each source's polls by outcome and its new items per UTC hour, counted by the
/// transaction that saves each poll (<see cref="IPollStore.SavePollAsync"/>) and kept for <see cref="KeptFor"/>.
/// </summary>
public interface IActivityStore
{
    /// <summary>How long hourly counts are kept: the day the pictures show, and a day's margin for the retention pass, which deletes older ones.</summary>
    static readonly TimeSpan KeptFor = TimeSpan.FromDays(2);

    /// <summary>The hours from <paramref name="since"/> on in which any of <paramref name="sourceIds"/> was polled: one page's sources.</summary>
    Task<IReadOnlyList<HourlyActivity>> GetSourceActivityAsync(IReadOnlyCollection<string> sourceIds, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>The hours from <paramref name="since"/> on in which a source stored new items, of every source: what the sections' pictures add up.</summary>
    Task<IReadOnlyList<HourlyActivity>> GetNewItemsAsync(DateTimeOffset since, CancellationToken cancellationToken);
}

/// <summary>One source's polls by outcome and its new items in the UTC hour starting at <paramref name="Hour"/>.</summary>
public sealed record HourlyActivity(string SourceId, DateTimeOffset Hour, int Updated, int NotModified, int Failed, int NewItems)
{
    /// <summary>The start of the UTC hour <paramref name="at"/> falls in.</summary>
    public static DateTimeOffset HourOf(DateTimeOffset at) =>
        DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds() / MillisecondsPerHour * MillisecondsPerHour);

    private const long MillisecondsPerHour = 3_600_000;
}
