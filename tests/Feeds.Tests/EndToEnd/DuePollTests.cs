using System.Diagnostics;
using Dapper;
using Feeds.Core.Storage;
using Feeds.Service.Scheduling;
using Feeds.Tests.Support;
using Quartz;
using Xunit.Abstractions;

namespace Feeds.Tests.EndToEnd;

/// <summary>
/// The real service and its Quartz scheduler: the schedule is armed at the stored due time, and a due poll starts within
/// a second of that time — the scheduler neither checks sources on a cadence nor waits one out. On SQLite (the due
/// queue: one job at the earliest due time); <see cref="PostgresDuePollTests"/> runs the same on PostgreSQL (a trigger per
/// source in Quartz's clustered job store).
/// </summary>
public class DuePollTests(ITestOutputHelper output)
{
    protected virtual StoreKind Store => StoreKind.Sqlite;

    [Fact]
    public async Task ATriggerThatFindsTheSourceNotDueMovesToItsDueTimeAndPollsWithinASecondOfIt()
    {
        await using var server = await LoopbackSourceServer.StartAsync();
        var sources = new ChangingSources(server, count: 2);
        var started = DateTimeOffset.UtcNow;
        await using var host = await FeedsTestHost.StartAsync(new[] { new { id = "all", title = "All", description = "Every source" } },
            Enumerable.Range(0, sources.Count).Select(i => (object)new { id = ChangingSources.IdOf(i), url = sources.Urls[i].AbsoluteUri, sections = new[] { "all" }, schedule = "1m" }).ToArray(),
            store: Store);
        await host.WaitForPollsAsync(sources.Count, started);
        var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var store = host.Services.GetRequiredService<IPollStore>();
        var (due, other) = (ChangingSources.IdOf(0), ChangingSources.IdOf(1));
        await WaitUntilAsync(async () => await ArmedAtDueTimeAsync(scheduler, store, due) && await ArmedAtDueTimeAsync(scheduler, store, other), "both sources armed after their start-up polls");
        var before = (server.RequestCount(sources.Urls[0].AbsolutePath), server.RequestCount(sources.Urls[1].AbsolutePath));

        // The stored due time moves 1.5 s ahead (as a manual refresh or an edit of the file would move it); a run of the
        // job now finds the source not due and re-arms its trigger there.
        var dueAt = DateTimeOffset.FromUnixTimeMilliseconds((DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1.5)).ToUnixTimeMilliseconds());
        await using (var connection = await host.OpenDatabaseAsync())
            await connection.ExecuteAsync("UPDATE sources SET next_due_at = @at WHERE id = @id", new { at = dueAt.ToUnixTimeMilliseconds(), id = due });
        await scheduler.TriggerJob(JobOf(due));
        await WaitUntilAsync(async () => (await scheduler.GetTrigger(TriggerOf(due)))?.NextFireTimeUtc == dueAt, "the trigger moved to the new due time");
        Assert.Equal(before.Item1, server.RequestCount(sources.Urls[0].AbsolutePath));

        await WaitUntilAsync(() => Task.FromResult(server.RequestCount(sources.Urls[0].AbsolutePath) > before.Item1), "the due poll");
        var polledAt = server.RequestTimes(sources.Urls[0].AbsolutePath)[^1];
        await WaitUntilAsync(() => ArmedAtDueTimeAsync(scheduler, store, due), "re-armed after the due poll");

        var late = polledAt - dueAt;
        output.WriteLine($"due poll started {late.TotalMilliseconds:0} ms after its due time");
        Assert.InRange(late, TimeSpan.FromMilliseconds(-5), TimeSpan.FromSeconds(1));
        Assert.Equal(before.Item1 + 1, server.RequestCount(sources.Urls[0].AbsolutePath));
        Assert.Equal(before.Item2, server.RequestCount(sources.Urls[1].AbsolutePath));
        var next = (await store.GetSourceStateAsync(due, CancellationToken.None))!.NextDueAt!.Value;
        Assert.True(next - polledAt >= TimeSpan.FromMinutes(1) - TimeSpan.FromSeconds(1), $"re-armed {(next - polledAt).TotalSeconds:0} s after the poll, under its schedule of a minute");
    }

    /// <summary>The job that polls the source when it is due: the due queue's one job.</summary>
    protected virtual JobKey JobOf(string sourceId) => PollDueSourcesJob.Job;

    /// <summary>The trigger that polls the source when it is due: the due queue's one trigger, at the earliest due time.</summary>
    protected virtual TriggerKey TriggerOf(string sourceId) => PollDueSourcesJob.Trigger;

    /// <summary>The source's stored due time is still ahead and the queue's trigger fires no later than it.</summary>
    protected virtual async Task<bool> ArmedAtDueTimeAsync(IScheduler scheduler, IPollStore store, string sourceId)
    {
        var trigger = await scheduler.GetTrigger(PollDueSourcesJob.Trigger);
        var state = await store.GetSourceStateAsync(sourceId, CancellationToken.None);
        return state?.NextDueAt is { } dueAt && dueAt > DateTimeOffset.UtcNow && trigger?.NextFireTimeUtc <= dueAt;
    }

    protected static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var waiting = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(waiting.Elapsed < TimeSpan.FromSeconds(10), $"no {what} within 10 s");
            await Task.Delay(20);
        }
    }
}

/// <summary>The same test with the service storing in PostgreSQL.</summary>
public sealed class PostgresDuePollTests(ITestOutputHelper output) : DuePollTests(output)
{
    protected override StoreKind Store => StoreKind.Postgres;

    protected override JobKey JobOf(string sourceId) => SourceSchedule.JobOf(sourceId);

    protected override TriggerKey TriggerOf(string sourceId) => SourceSchedule.TriggerOf(sourceId);

    /// <summary>The source's one trigger, not a start-up poll, at the due time the store holds, still ahead.</summary>
    protected override async Task<bool> ArmedAtDueTimeAsync(IScheduler scheduler, IPollStore store, string sourceId)
    {
        var triggers = await scheduler.GetTriggersOfJob(SourceSchedule.JobOf(sourceId));
        var state = await store.GetSourceStateAsync(sourceId, CancellationToken.None);
        return triggers is [var trigger] && !(trigger.JobDataMap.TryGetValue(RefreshSourceJob.StartupKey, out var startup) && startup is true)
            && state?.NextDueAt is { } dueAt && trigger.NextFireTimeUtc == dueAt && dueAt > DateTimeOffset.UtcNow;
    }
}
