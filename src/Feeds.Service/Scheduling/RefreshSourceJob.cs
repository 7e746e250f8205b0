using Feeds.Core.Refreshing;
using Feeds.Core.Sources;
using Quartz;

namespace Feeds.Service.Scheduling;

/// <summary>
/// Polls one source, then re-arms its trigger at its next due time. Thin: the pipeline and the due times live in
/// <see cref="SourceRefresher"/>.
/// </summary>
[DisallowConcurrentExecution]
internal sealed partial class RefreshSourceJob(SourceRefresher refresher, FeedsConfigMonitor configs, TimeProvider clock,
    IHostApplicationLifetime lifetime, ILogger<RefreshSourceJob> logger) : IJob
{
    /// <summary>
    /// Set on the trigger of a start-up poll, which does not wait for the stored schedule. Job data, so that it survives
    /// a node's death: the trigger Quartz makes to redo a dead node's poll carries the original's data.
    /// </summary>
    public const string StartupKey = "startup";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var data = context.MergedJobDataMap;
        var reason = data.TryGetValue(StartupKey, out var startup) && startup is true ? PollReason.Startup : PollReason.Schedule;
        await PollAndRearmAsync(context.Scheduler, SourceSchedule.SourceOf(context.JobDetail.Key), reason, cancellationToken);
    }

    internal async Task PollAndRearmAsync(IScheduler scheduler, string sourceId, PollReason reason, CancellationToken cancellationToken)
    {
        // A source removed from the config while this run was queued is not polled.
        if (configs.Current.FindSource(sourceId) is not { } source)
            return;
        DateTimeOffset next;
        try
        {
            // A poll still waiting on its source gives up as the node stops, rather than hold the stop until it times out.
            next = await refresher.RefreshAsync(source, reason, lifetime.ApplicationStopping, cancellationToken) switch
            {
                RefreshResult.NotDue notDue => notDue.DueAt,
                RefreshResult.Failed failed => failed.RetryNotBefore,
                _ => await refresher.NextPollAtAsync(source, scheduleChanged: false, cancellationToken),
            };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested || lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // Shutting down; a trigger spent without a re-arm is re-armed by the safety net (RearmLostSourcesJob).
            return;
        }
        catch (Exception e)
        {
            // A bug or a storage fault (a full disk) must not escape into Quartz and stop the schedule of this source; its
            // stored state may not say when to come back, so it is tried again after its configured interval.
            next = clock.GetUtcNow() + source.Interval;
            LogUnexpected(e, source.Id, next);
        }
        // Removed while it was polled: the job is gone and there is nothing to re-arm.
        if (configs.Current.FindSource(source.Id) is null)
            return;
        try
        {
            await SourceSchedule.RearmAsync(scheduler, source.Id, next, cancellationToken);
        }
        catch (Exception e) when (e is SchedulerException or OperationCanceledException)
        {
            LogRearmFailed(e, source.Id, next, RearmLostSourcesJob.Every.TotalMinutes);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Poll of {SourceId} failed unexpectedly; trying again at {DueAt:u}")]
    private partial void LogUnexpected(Exception exception, string sourceId, DateTimeOffset dueAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not arm the next poll of {SourceId} at {DueAt:u}; the schedule's safety net re-arms it within {RearmEveryMinutes} min")]
    private partial void LogRearmFailed(Exception exception, string sourceId, DateTimeOffset dueAt, double rearmEveryMinutes);
}
