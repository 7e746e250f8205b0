using Feeds.Core.Refreshing;
using Feeds.Core.Sources;
using Quartz;

namespace Feeds.Service.Scheduling;

/// <summary>
/// The cluster's schedule (PostgreSQL; a single node uses <see cref="DueQueue"/>). Keeps one Quartz job per configured source: at start-up a job for each source that has none (polled at once) and
/// none for a source the config no longer has, then, as the config is edited, a job for each added source (polled at
/// once), none for a removed one, an immediate poll for a source whose address changed, and a trigger moved for a
/// source whose schedule changed. Sources that did not change are not polled again. Also arms the schedule's safety
/// net, <see cref="RearmLostSourcesJob"/>.
/// </summary>
/// <remarks>
/// A source that already has its job keeps its trigger. The schedule is in the database: a node that joins leaves the
/// due times the running nodes armed, where re-arming every source for now would poll the whole catalogue once more per
/// node started; after downtime of the whole cluster the triggers whose time passed fire at once. Every node follows the
/// same config file, so each applies each edit; adding a job replaces nothing, and removing one is the same removal.
/// </remarks>
internal sealed partial class SourceScheduler(
    ISchedulerFactory schedulers, FeedsConfigMonitor configs, SourceRefresher refresher, TimeProvider clock, ILogger<SourceScheduler> logger)
    : IHostedService
{
    private IScheduler? _scheduler;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _scheduler = await schedulers.GetScheduler(cancellationToken);
        if ((await _scheduler.GetMetadata(cancellationToken)).JobStoreClustered)
            LogClusterNode(await _scheduler.GetSchedulerInstanceId(cancellationToken));
        var config = configs.Current;
        var scheduled = await _scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(SourceSchedule.Group), cancellationToken);
        foreach (var removed in scheduled.Where(job => config.FindSource(job.Name) is null))
            await _scheduler.DeleteJob(removed, cancellationToken);
        await AddAsync(_scheduler, config.Sources.Where(source => !scheduled.Contains(SourceSchedule.JobOf(source.Id))), cancellationToken);
        await _scheduler.ScheduleJob(RearmLostSourcesJob.TriggerFrom(clock.GetUtcNow()), ScheduleJobOptions.Replacing, cancellationToken);
        configs.Changed += OnConfigChanged;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        configs.Changed -= OnConfigChanged;
        return Task.CompletedTask;
    }

    /// <summary>New sources, each polled at once, whatever its stored schedule says (unless another node added it first).</summary>
    private async Task AddAsync(IScheduler scheduler, IEnumerable<Source> sources, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        foreach (var source in sources)
            await SourceSchedule.AddAsync(scheduler, source, now, cancellationToken);
    }

    private void OnConfigChanged(ConfigChange change) => _ = ApplyAsync(change);

    internal async Task ApplyAsync(ConfigChange change)
    {
        if (_scheduler is not { } scheduler)
            return;
        try
        {
            foreach (var source in change.RemovedSources)
                await scheduler.DeleteJob(SourceSchedule.JobOf(source.Id));
            await AddAsync(scheduler, change.AddedSources, CancellationToken.None);
            var moved = change.MovedSources.ToList();
            // A new address is a new start: polled at once, whatever the old address's schedule said.
            foreach (var source in moved)
                await SourceSchedule.PollMovedAsync(scheduler, source.Id, CancellationToken.None);
            foreach (var source in change.ChangedSources.Except(moved).Where(source => change.Old.FindSource(source.Id) is not { } old
                || old.Interval != source.Interval || old.HasSchedule != source.HasSchedule))
            {
                var next = await refresher.NextPollAtAsync(source, scheduleChanged: true, CancellationToken.None);
                await SourceSchedule.RearmAsync(scheduler, source.Id, next, CancellationToken.None);
            }
            LogApplied(change.AddedSources.Count, change.RemovedSources.Count, change.ChangedSources.Count);
        }
        catch (Exception e)
        {
            // Nothing awaits this (it runs from the config watcher's event); what it missed, the safety net re-arms.
            LogFailed(e, RearmLostSourcesJob.Every.TotalMinutes);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduling as cluster node {NodeId}: the schedule is shared with every node on this database")]
    private partial void LogClusterNode(string nodeId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule follows the config: {Added} source(s) added, {Removed} removed, {Changed} changed")]
    private partial void LogApplied(int added, int removed, int changed);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not apply the config change to the schedule; sources left without a next poll are re-armed within {RearmEveryMinutes} min")]
    private partial void LogFailed(Exception exception, double rearmEveryMinutes);
}
