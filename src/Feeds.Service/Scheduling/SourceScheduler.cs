using Feeds.Core.Sources;
using Quartz;

namespace Feeds.Service.Scheduling;

/// <summary>
/// Keeps one Quartz job per configured source: all of them at start-up (each polled once at once), then, as the
/// config is edited, a job for each added source (polled at once), none for a removed one, and an immediate poll
/// for a source whose address changed. Sources that did not change are not polled again.
/// </summary>
internal sealed partial class SourceScheduler(
    ISchedulerFactory schedulers, FeedsConfigMonitor configs, StartupPolls startupPolls, TimeProvider clock, ILogger<SourceScheduler> logger)
    : IHostedService
{
    private IScheduler? _scheduler;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _scheduler = await schedulers.GetScheduler(cancellationToken);
        await ScheduleAsync(_scheduler, configs.Current.Sources, cancellationToken);
        configs.Changed += OnConfigChanged;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        configs.Changed -= OnConfigChanged;
        return Task.CompletedTask;
    }

    /// <summary>New sources, each polled at once and then checked at the cadence, their checks spread evenly over it.</summary>
    private async Task ScheduleAsync(IScheduler scheduler, IReadOnlyList<Source> sources, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        for (var index = 0; index < sources.Count; index++)
        {
            startupPolls.Owe(sources[index].Id);
            var firstCheckAt = now + SourceSchedule.CheckEvery * (index + 1) / (sources.Count + 1);
            await SourceSchedule.ScheduleAsync(scheduler, sources[index], now, firstCheckAt, cancellationToken);
        }
    }

    private void OnConfigChanged(ConfigChange change) => _ = ApplyAsync(change);

    private async Task ApplyAsync(ConfigChange change)
    {
        if (_scheduler is not { } scheduler)
            return;
        try
        {
            foreach (var source in change.RemovedSources)
            {
                startupPolls.Forget(source.Id);
                await scheduler.DeleteJob(SourceSchedule.JobOf(source.Id));
            }
            await ScheduleAsync(scheduler, change.AddedSources, CancellationToken.None);
            foreach (var source in change.MovedSources)
            {
                // A new address is a new start: polled at once, whatever the old address's schedule said.
                startupPolls.Owe(source.Id);
                await scheduler.TriggerJob(SourceSchedule.JobOf(source.Id));
            }
            LogApplied(change.AddedSources.Count, change.RemovedSources.Count, change.ChangedSources.Count);
        }
        catch (SchedulerException e)
        {
            LogFailed(e);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule follows the config: {Added} source(s) added, {Removed} removed, {Changed} changed")]
    private partial void LogApplied(int added, int removed, int changed);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not apply the config change to the schedule")]
    private partial void LogFailed(Exception exception);
}
