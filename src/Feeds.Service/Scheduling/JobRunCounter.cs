using Feeds.Core.Metrics;
using Quartz;

namespace Feeds.Service.Scheduling;

/// <summary>
/// Counts every Quartz job run by job type (<c>feeds_job_runs_total</c>): what the schedule does while nothing is due is
/// visible on <c>/metrics</c>, and a job that runs on a timer whatever the work shows as a count that keeps climbing.
/// </summary>
internal sealed class JobRunCounter : IJobListener
{
    public string Name => nameof(JobRunCounter);

    public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
    {
        // By the job's type, not its key: a cluster's poll jobs are one per source, named after it.
        FeedsMetrics.RecordJobRun(context.JobDetail.JobType.Type.Name);
        return ValueTask.CompletedTask;
    }
}
