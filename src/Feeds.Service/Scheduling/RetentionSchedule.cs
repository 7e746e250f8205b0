using Quartz;

namespace Feeds.Service.Scheduling;

/// <summary>
/// Runs <see cref="RetentionJob"/> hourly, the first time a few minutes after start-up, once the start-up polls are
/// done. The trigger is added when the service starts, from the injected clock, so its times are the test's to set.
/// </summary>
internal sealed class RetentionSchedule(ISchedulerFactory schedulers, TimeProvider clock) : IHostedService
{
    public static readonly JobKey Job = new("retention", "maintenance");

    public static readonly TimeSpan Every = TimeSpan.FromHours(1);

    public static readonly TimeSpan FirstAfter = TimeSpan.FromMinutes(5);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var trigger = TriggerBuilder.Create()
            .ForJob(Job)
            .WithIdentity("retention", "maintenance")
            .StartAt(clock.GetUtcNow() + FirstAfter)
            // A pass missed while the service was down is not worth replaying; the next one does the work.
            .WithSimpleSchedule(s => s.WithInterval(Every).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
            .Build();
        await scheduler.ScheduleJob(trigger, ScheduleJobOptions.Replacing, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

internal static class RetentionScheduleRegistration
{
    public static IServiceCollection AddRetention(this IServiceCollection services)
    {
        services.AddQuartz(quartz => quartz.AddJob<RetentionJob>(job => job.WithIdentity(RetentionSchedule.Job).StoreDurably()));
        services.AddHostedService<RetentionSchedule>();
        return services;
    }
}
