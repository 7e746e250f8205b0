using System.Collections.Concurrent;
using Feeds.Core.Storage;
using Feeds.Tests.Support;
using Quartz;

namespace Feeds.Tests.EndToEnd;

/// <summary>
/// Idle means idle (issue 17): once the start-up polls are done and no source is due, the real service's schedule does
/// nothing — no Quartz job runs and no read of the stored due times — so its idle cost cannot grow with the catalogue.
/// On SQLite (the due queue); <see cref="PostgresIdleScheduleTests"/> runs the same on PostgreSQL (a trigger per source).
/// </summary>
public class IdleScheduleTests : IAsyncLifetime
{
    protected virtual StoreKind Store => StoreKind.Sqlite;

    protected const int SourceCount = 40;

    /// <summary>How long the schedule must stay still once it has settled: more than two of any check every two seconds.</summary>
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    /// <summary>What "settled" means: no job run and no read for this long.</summary>
    private static readonly TimeSpan Settled = TimeSpan.FromSeconds(1);

    private LoopbackSourceServer _server = null!;

    public async Task InitializeAsync() => _server = await LoopbackSourceServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task WithNothingDueTheScheduleRunsNoJobAndReadsNoDueTime()
    {
        var sources = new ChangingSources(_server, SourceCount);
        var jobRuns = new JobRuns();
        CountingScheduleStore? schedule = null;
        var started = DateTimeOffset.UtcNow;
        // Sources on the default 30-minute schedule: after their start-up poll none is due for the rest of the test.
        await using var host = await FeedsTestHost.StartAsync(new[] { new { id = "all", title = "All", description = "" } }, sources.ConfigEntries("all"),
            store: Store, replaceServices: services =>
            {
                services.Decorate<IScheduleStore>(store => schedule = new CountingScheduleStore(store));
                services.AddQuartz(quartz => quartz.AddJobListener(jobRuns, GroupMatcher<JobKey>.AnyGroup()));
            });
        await host.WaitForPollsAsync(SourceCount, started);
        await WaitUntilSettledAsync(jobRuns, () => schedule?.Reads ?? 0);
        // The counters count: the start-up polls ran as jobs and, on SQLite, read the due times.
        AssertStartupCounted(jobRuns, schedule?.Reads ?? 0);
        var (runsBefore, readsBefore) = (jobRuns.Snapshot(), schedule?.Reads ?? 0);

        await Task.Delay(Window);

        Assert.Equal(runsBefore, jobRuns.Snapshot());
        Assert.Equal(readsBefore, schedule?.Reads ?? 0);
    }

    /// <summary>The start-up run of the due queue read the stored due times.</summary>
    protected virtual void AssertStartupCounted(JobRuns jobRuns, long scheduleReads)
    {
        Assert.True(jobRuns.Of("PollDueSourcesJob") >= 1, $"job runs seen: {string.Join(", ", jobRuns.Snapshot())}");
        Assert.True(scheduleReads > 0, "the due queue's start-up run read no due time");
    }

    /// <summary>
    /// Waits until no job is running and the counts stay the same for <see cref="Settled"/>: the start-up's jobs have
    /// ended and their last reads are done. A job still running counts as not settled however long its counts stand
    /// still: the start-up run of the due queue ends only after its last poll's save, which a loaded machine may delay.
    /// </summary>
    private static async Task WaitUntilSettledAsync(JobRuns jobRuns, Func<long> scheduleReads)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        (long Running, long Runs, long Reads) Counts() => (jobRuns.Running, jobRuns.Total, scheduleReads());
        var last = Counts();
        var stillSince = DateTime.UtcNow;
        while (last.Running > 0 || DateTime.UtcNow - stillSince < Settled)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the schedule never stood still for {Settled.TotalSeconds:0} s (jobs running, job runs, schedule reads: {Counts()})");
            await Task.Delay(50);
            if (Counts() is var now && now != last)
                (last, stillSince) = (now, DateTime.UtcNow);
        }
    }

    /// <summary>Counts the runs of every job of the host's scheduler, by job type.</summary>
    public sealed class JobRuns : IJobListener
    {
        private readonly ConcurrentDictionary<string, long> _runs = new();
        private long _running;

        public string Name => nameof(JobRuns);

        public long Total => _runs.Values.Sum();

        /// <summary>Jobs started and not yet ended.</summary>
        public long Running => Interlocked.Read(ref _running);

        public long Of(string jobType) => _runs.GetValueOrDefault(jobType);

        /// <summary>"Job=runs" per job type, in order: comparable, and readable in a failure message.</summary>
        public IReadOnlyList<string> Snapshot() => _runs.OrderBy(run => run.Key, StringComparer.Ordinal).Select(run => $"{run.Key}={run.Value}").ToList();

        public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _running);
            return ValueTask.CompletedTask;
        }

        // A vetoed job was never to be executed: it neither started nor ran.
        public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
        {
            Interlocked.Decrement(ref _running);
            _runs.AddOrUpdate(context.JobDetail.JobType.Type.Name, 1, (_, runs) => runs + 1);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>The real schedule store, counting the reads of due times made through it.</summary>
    private sealed class CountingScheduleStore(IScheduleStore store) : IScheduleStore
    {
        private long _reads;

        public long Reads => Interlocked.Read(ref _reads);

        public Task<IReadOnlyList<DueSource>> GetDueSourcesAsync(DateTimeOffset upTo, DueSource? after, int limit, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            return store.GetDueSourcesAsync(upTo, after, limit, cancellationToken);
        }

        public Task<DateTimeOffset?> GetEarliestDueAfterAsync(DateTimeOffset after, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            return store.GetEarliestDueAfterAsync(after, cancellationToken);
        }

        public Task SetDueAtAsync(string sourceId, DateTimeOffset? dueAt, CancellationToken cancellationToken) =>
            store.SetDueAtAsync(sourceId, dueAt, cancellationToken);
    }
}

/// <summary>The same on PostgreSQL: a Quartz trigger per source, each armed at its due time, none firing before it.</summary>
public sealed class PostgresIdleScheduleTests : IdleScheduleTests
{
    protected override StoreKind Store => StoreKind.Postgres;

    /// <summary>Each source's start-up poll ran as its own job; the due times are Quartz's, not read from the sources' rows.</summary>
    protected override void AssertStartupCounted(JobRuns jobRuns, long scheduleReads) =>
        Assert.True(jobRuns.Of("RefreshSourceJob") >= SourceCount, $"job runs seen: {string.Join(", ", jobRuns.Snapshot())}");
}
