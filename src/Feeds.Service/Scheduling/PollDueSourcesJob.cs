using Quartz;

namespace Feeds.Service.Scheduling;

/// <summary>
/// The single node's one schedule job: fires at the earliest due time and polls what is due through <see cref="DueQueue"/>,
/// which re-arms it. One run at a time; a trigger that fires while one runs waits for it and then finds little to do.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class PollDueSourcesJob(DueQueue queue) : IJob
{
    public static readonly JobKey Job = new("poll-due-sources", SourceSchedule.Group);

    /// <summary>The job's one trigger, at the earliest due time (or now, after an edit).</summary>
    public static readonly TriggerKey Trigger = new("poll-due-sources", SourceSchedule.Group);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await queue.RunAsync(context.Scheduler, cancellationToken);
}
