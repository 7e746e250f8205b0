using Feeds.Core.Refreshing;
using Feeds.Core.Sources;
using Quartz;

namespace Feeds.Service.Scheduling;

/// <summary>Polls one source. Thin: the pipeline lives in <see cref="SourceRefresher"/>.</summary>
[DisallowConcurrentExecution]
internal sealed partial class RefreshSourceJob(SourceRefresher refresher, FeedsConfigMonitor configs, ILogger<RefreshSourceJob> logger) : IJob
{
    public const string SourceIdKey = "sourceId";
    public const string StartupKey = "startup";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var sourceId = context.MergedJobDataMap.GetString(SourceIdKey);
        // A source removed from the config while this run was queued is not polled.
        if (sourceId is null || configs.Current.FindSource(sourceId) is not { } source)
            return;
        // The start-up trigger's poll does not wait for the stored schedule; the cadence trigger's checks do.
        var reason = context.MergedJobDataMap.ContainsKey(StartupKey) ? PollReason.Startup : PollReason.Schedule;
        try
        {
            await refresher.RefreshAsync(source, reason, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down; the poll is idempotent and is simply redone next time.
        }
        catch (Exception e)
        {
            // A bug or a storage fault must not escape into Quartz and stop the schedule of this source.
            LogUnexpected(e, source.Id);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Poll of {SourceId} failed unexpectedly")]
    private partial void LogUnexpected(Exception exception, string sourceId);
}
