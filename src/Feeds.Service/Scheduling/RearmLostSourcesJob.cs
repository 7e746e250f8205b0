using Feeds.Core.Sources;
using Quartz;

namespace Feeds.Service.Scheduling;

/// <summary>
/// The cluster schedule's safety net (the single node's <see cref="DueQueue"/> reads its schedule from the store's due
/// times, so it has no trigger to lose and needs none). A source's trigger is re-armed by its own job after each poll; if that ever fails (the
/// job was killed by something it could not catch, Quartz refused the new trigger) the source would never be polled
/// again. Every <see cref="Every"/> this job arms a trigger for now for each configured source that has none; the
/// source's job then polls it if it is due and otherwise re-arms itself at its due time. It fires no source: a pass
/// is one read of the trigger keys of the sources' group, which on the clustered job store is one query of
/// <c>qrtz_triggers</c> (for 20,000 triggers 4–7 ms to run and 8–12 ms with its rows in psql), once every five minutes on one node.
/// A periodic fallback trigger per source would have cost as many fires as sources, the very cost this schedule removes.
/// </summary>
[DisallowConcurrentExecution]
internal sealed partial class RearmLostSourcesJob(FeedsConfigMonitor configs, TimeProvider clock, ILogger<RearmLostSourcesJob> logger) : IJob
{
    public static readonly JobKey Job = new("rearm-lost-sources", "maintenance");

    /// <summary>How late a source whose trigger was lost is polled at worst, past its due time.</summary>
    public static readonly TimeSpan Every = TimeSpan.FromMinutes(5);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        try
        {
            await RearmLostAsync(context.Scheduler, cancellationToken);
        }
        catch (Exception e) when (e is SchedulerException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogFailed(e, Every.TotalMinutes);
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }

    /// <summary>Arms every configured source that has no trigger; returns their ids.</summary>
    internal async Task<IReadOnlyList<string>> RearmLostAsync(IScheduler scheduler, CancellationToken cancellationToken)
    {
        var armed = await scheduler.GetTriggerKeys(GroupMatcher<TriggerKey>.GroupEquals(SourceSchedule.Group), cancellationToken);
        var lost = configs.Current.Sources.Where(source => !armed.Contains(SourceSchedule.TriggerOf(source.Id))).ToList();
        var now = clock.GetUtcNow();
        foreach (var source in lost)
            await SourceSchedule.RearmLostAsync(scheduler, source, now, cancellationToken);
        if (lost.Count > 0)
            LogRearmed(lost.Count, string.Join(", ", lost.Take(10).Select(source => source.Id)));
        return lost.Select(source => source.Id).ToList();
    }

    /// <summary>The safety net's own trigger, first <see cref="Every"/> after <paramref name="now"/>, then at that cadence.</summary>
    public static ITrigger TriggerFrom(DateTimeOffset now) => TriggerBuilder.Create()
        .ForJob(Job)
        .WithIdentity("rearm-lost-sources", "maintenance")
        .StartAt(now + Every)
        // A pass missed while the service was busy is not worth replaying; the next one finds the same sources.
        .WithSimpleSchedule(s => s.WithInterval(Every).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
        .Build();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Re-armed {Count} source(s) that had no next poll scheduled: {SourceIds}")]
    private partial void LogRearmed(int count, string sourceIds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not look for sources without a next poll; trying again in {RearmEveryMinutes} min")]
    private partial void LogFailed(Exception exception, double rearmEveryMinutes);
}
