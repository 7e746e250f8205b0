using Feeds.Core.Storage;

namespace Feeds.Core.Publishing;

/// <summary>
/// Which report leads a story: the one a section shows as the story's entry and a story's page is headed by. The report
/// from the first preferred source that reported the story (<see cref="Sources.StorySettings.PreferredSources"/>), else the
/// earliest report, so a desk can put its wire of record first while a story no preferred source covers still leads
/// with whoever broke it.
/// </summary>
public static class StoryLead
{
    /// <summary>The lead of <paramref name="reports"/> (one story's, in any order); with no preference, the earliest.</summary>
    public static StoredItem Of(IReadOnlyCollection<StoredItem> reports, IReadOnlyList<string> preferredSources)
    {
        foreach (var source in preferredSources)
        {
            // A source may report a story twice (an update under a new link): its first report leads.
            if (reports.Where(report => report.SourceId == source).MinBy(Order) is { } preferred)
                return preferred;
        }
        return reports.MinBy(Order) ?? throw new ArgumentException("a story has at least one report", nameof(reports));
    }

    // Published time, then the order of storing for ties: the order the store lists a story's reports in.
    private static (DateTimeOffset, long) Order(StoredItem report) => (report.PublishedAt, report.Id);
}
