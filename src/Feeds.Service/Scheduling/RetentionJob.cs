using Feeds.Core.Publishing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Quartz;

namespace Feeds.Service.Scheduling;

/// <summary>
/// Deletes items past their source's retention (age and count), never one that a section's first page shows,
/// and gives the freed space back. Thin: the delete lives in <see cref="IRetentionStore.PruneAsync"/>.
/// </summary>
[DisallowConcurrentExecution]
internal sealed partial class RetentionJob(IRetentionStore store, SectionPages pages, FeedsConfigMonitor configs, TimeProvider clock, ILogger<RetentionJob> logger)
    : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var started = clock.GetTimestamp();
        var config = configs.Current;
        try
        {
            var result = await store.PruneAsync(config.RetentionOf, token => ShownOnFirstPagesAsync(pages, config, token), cancellationToken);
            foreach (var (sourceId, removed) in result.RemovedBySource)
            {
                var retention = config.RetentionOf(sourceId);
                LogPruned(sourceId, removed, retention.MaxAgeDays, retention.MaxItemsPerSource);
            }
            LogDone(result.Removed, result.Spared, clock.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down; the transaction rolled back and the next run prunes instead.
        }
        catch (Exception e)
        {
            // A storage fault must not escape into Quartz and stop the schedule.
            LogUnexpected(e);
        }
    }

    /// <summary>
    /// The ids of every item a section's first page shows, the stories' other reports included: what readers see
    /// first is never deleted, however old, so a quiet section keeps its last page of news.
    /// </summary>
    internal static async Task<IReadOnlySet<long>> ShownOnFirstPagesAsync(SectionPages pages, FeedsConfig config, CancellationToken cancellationToken)
    {
        var shown = new HashSet<long>();
        foreach (var section in config.Sections)
        {
            var page = await pages.GetAsync(config, section, ItemCursor.Newest, config.Publishing.ItemsPerFeed, cancellationToken);
            foreach (var entry in page.Entries)
            {
                shown.Add(entry.Item.Id);
                shown.UnionWith(entry.AlsoReportedBy.Select(item => item.Id));
            }
        }
        return shown;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention removed {Removed} items of {SourceId} (max age {MaxAgeDays} days, max {MaxItemsPerSource} items; 0 is no limit)")]
    private partial void LogPruned(string sourceId, int removed, int maxAgeDays, int maxItemsPerSource);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention pass: {Removed} items removed, {Spared} past retention kept because a first page shows them ({ElapsedMs:0} ms)")]
    private partial void LogDone(int removed, int spared, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Retention pass failed unexpectedly")]
    private partial void LogUnexpected(Exception exception);
}
