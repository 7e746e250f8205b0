using Quartz;

namespace Feeds.Service.Scheduling;

/// <summary>Runs <see cref="RetentionJob"/> hourly, the first time a few minutes after start-up, once the start-up polls are done.</summary>
internal static class RetentionSchedule
{
    public static readonly JobKey Job = new("retention", "maintenance");

    public static readonly TimeSpan Every = TimeSpan.FromHours(1);

    public static readonly TimeSpan FirstAfter = TimeSpan.FromMinutes(5);

    public static IServiceCollection AddRetention(this IServiceCollection services)
    {
        services.AddQuartz(quartz =>
        {
            quartz.AddJob<RetentionJob>(job => job.WithIdentity(Job).StoreDurably());
            quartz.AddTrigger(trigger => trigger
                .ForJob(Job)
                .WithIdentity("retention", "maintenance")
                // Quartz keeps its own (system) clock; the offset is relative to it.
                .StartAt(DateTimeOffset.UtcNow + FirstAfter)
                // A pass missed while the service was down is not worth replaying; the next one does the work.
                .WithSimpleSchedule(s => s.WithInterval(Every).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
        });
        return services;
    }
}
