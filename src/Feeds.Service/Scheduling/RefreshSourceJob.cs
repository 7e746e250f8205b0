using Feeds.Core.Refreshing;
using Feeds.Core.Sources;
using Quartz;

namespace Feeds.Service.Scheduling;

/// <summary>Polls one source. Thin: the pipeline lives in <see cref="SourceRefresher"/>.</summary>
[DisallowConcurrentExecution]
internal sealed partial class RefreshSourceJob(SourceRefresher refresher, FeedsConfigMonitor configs, StartupPolls startupPolls, ILogger<RefreshSourceJob> logger)
    : IJob
{
    public const string SourceIdKey = "sourceId";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var sourceId = context.MergedJobDataMap.GetString(SourceIdKey);
        // A source removed from the config while this run was queued is not polled.
        if (sourceId is null || configs.Current.FindSource(sourceId) is not { } source)
            return;
        // The start-up poll does not wait for the stored schedule (once, by whichever trigger runs first); checks do.
        var reason = startupPolls.TryPay(source.Id) ? PollReason.Startup : PollReason.Schedule;
        try
        {
            if (await refresher.RefreshAsync(source, reason, cancellationToken) is RefreshResult.NotDue notDue)
                await WakeAtAsync(context.Scheduler, source.Id, notDue.DueAt, cancellationToken);
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

    /// <summary>Asks Quartz to check the source again at its due time; without it the poll comes at the next regular check.</summary>
    private async Task WakeAtAsync(IScheduler scheduler, string sourceId, DateTimeOffset dueAt, CancellationToken cancellationToken)
    {
        try
        {
            await SourceSchedule.WakeAtAsync(scheduler, sourceId, dueAt, cancellationToken);
        }
        catch (SchedulerException e)
        {
            LogWakeFailed(e, sourceId, dueAt, SourceSchedule.CheckEvery.TotalSeconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not schedule a check of {SourceId} at its due time {DueAt:u}; the regular check polls it at most {CheckEverySeconds} s later")]
    private partial void LogWakeFailed(Exception exception, string sourceId, DateTimeOffset dueAt, double checkEverySeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Poll of {SourceId} failed unexpectedly")]
    private partial void LogUnexpected(Exception exception, string sourceId);
}
