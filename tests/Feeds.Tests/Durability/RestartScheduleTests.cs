using System.Collections.Concurrent;
using System.Diagnostics;
using Dapper;
using Feeds.Service.Scheduling;
using Feeds.Tests.Support;
using Microsoft.Data.Sqlite;
using Quartz;
using Xunit.Abstractions;

namespace Feeds.Tests.Durability;

/// <summary>
/// After downtime each source is polled once, promptly, spread out — not once per missed interval, not all in one second
/// — and its regular schedule check, which comes within one check cadence (<see cref="SourceSchedule.CheckEvery"/>) of the
/// restart, finds it not due. The test waits until every source's check has come after its poll, so it spans a full cadence.
/// </summary>
[Collection(DurabilityCollection.Name)]
public sealed class RestartScheduleTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Spacing = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task AfterThreeDaysDownEachSourceIsPolledOnceSoonAndNotAllAtOnce()
    {
        await using var server = await LoopbackSourceServer.StartAsync();
        var sources = new ChangingSources(server, count: 8);
        var entries = Enumerable.Range(0, sources.Count)
            .Select(i => (object)new { id = ChangingSources.IdOf(i), url = sources.Urls[i].AbsoluteUri, sections = new[] { "all" }, schedule = "1m" })
            .ToArray();
        var started = DateTimeOffset.UtcNow;
        await using var host = await FeedsTestHost.StartAsync(new[] { new { id = "all", title = "All", description = "Every source" } }, entries,
            fetching: new { allowPrivateNetworks = new[] { "127.0.0.1/32" }, minHostSpacing = "200ms" });
        await host.WaitForPollsAsync(sources.Count, started);
        await host.StopAsync();
        // Three days down: with a one-minute schedule, 4,320 polls were missed.
        await using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = host.DatabasePath, Pooling = false }.ToString()))
        {
            var threeDays = (long)TimeSpan.FromDays(3).TotalMilliseconds;
            await connection.ExecuteAsync("UPDATE sources SET next_due_at = next_due_at - @threeDays, last_attempt_at = last_attempt_at - @threeDays, last_success_at = last_success_at - @threeDays", new { threeDays });
        }
        sources.AdvanceAll();
        var before = sources.Urls.Select(url => server.RequestCount(url.AbsolutePath)).ToList();

        var restarted = DateTimeOffset.UtcNow;
        await host.StartAsync();
        var runs = new FinishedRuns();
        var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        scheduler.ListenerManager.AddJobListener(runs, [GroupMatcher<JobKey>.GroupEquals(SourceSchedule.Group)]);
        await host.WaitForPollsAsync(sources.Count, restarted);
        // The checks of the sources are spread over one cadence from the restart; one that pays the start-up poll itself
        // (when Quartz runs it before the start-up trigger) is followed by the next, a cadence later.
        var checks = await WaitForChecksAfterPollsAsync(server, sources, runs, restarted, timeout: 2 * SourceSchedule.CheckEvery + TimeSpan.FromSeconds(5));

        var polls = sources.Urls.Select((url, i) => server.RequestCount(url.AbsolutePath) - before[i]).ToList();
        Assert.All(polls, count => Assert.Equal(1, count));
        var times = sources.Urls.SelectMany(url => server.RequestTimes(url.AbsolutePath).Where(t => t >= restarted)).Order().ToList();
        var gaps = times.Zip(times.Skip(1), (a, b) => b - a).ToList();
        Assert.All(gaps, gap => Assert.True(gap >= Spacing - TimeSpan.FromMilliseconds(20), $"two polls of one host {gap.TotalMilliseconds:0} ms apart"));
        Assert.True(times[^1] - restarted < TimeSpan.FromSeconds(15), $"the last source was polled {(times[^1] - restarted).TotalSeconds:0.0} s after the restart");
        var audit = await DatabaseAudit.ReadAsync(host.DatabasePath);
        Assert.Equal(sources.PublishedItemCount, audit.Items.Count);
        output.WriteLine($"after restart: {polls.Sum()} polls of {sources.Count} sources, from {(times[0] - restarted).TotalSeconds:0.00} s to {(times[^1] - restarted).TotalSeconds:0.00} s, gaps ≥ {gaps.Min().TotalMilliseconds:0} ms; "
            + $"each source's check found it not due, the last {(checks.Max() - restarted).TotalSeconds:0.0} s after the restart");
    }

    /// <summary>
    /// Waits until the regular check of every source has run after the source's poll (started by the first request the
    /// source saw since <paramref name="restarted"/>), and returns when each of those checks fired.
    /// </summary>
    private static async Task<IReadOnlyList<DateTimeOffset>> WaitForChecksAfterPollsAsync(LoopbackSourceServer server, ChangingSources sources,
        FinishedRuns runs, DateTimeOffset restarted, TimeSpan timeout)
    {
        var waiting = Stopwatch.StartNew();
        while (true)
        {
            var checks = Enumerable.Range(0, sources.Count).Select(index =>
            {
                var polled = server.RequestTimes(sources.Urls[index].AbsolutePath).Where(at => at >= restarted).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
                var id = ChangingSources.IdOf(index);
                return runs.Runs.Where(run => run.SourceId == id && run.Trigger == id && run.FiredAt > polled).Select(run => (DateTimeOffset?)run.FiredAt).FirstOrDefault();
            }).ToList();
            if (checks.All(check => check is not null))
                return checks.Select(check => check!.Value).ToList();
            Assert.True(waiting.Elapsed < timeout, $"within {timeout.TotalSeconds:0} s of the restart no regular check came after the poll of "
                + string.Join(", ", checks.Select((check, index) => check is null ? ChangingSources.IdOf(index) : null).OfType<string>()));
            await Task.Delay(100);
        }
    }

    /// <summary>Every run of a source's job that Quartz finished: the source, the trigger that fired it, and when.</summary>
    private sealed class FinishedRuns : IJobListener
    {
        private readonly ConcurrentQueue<(string SourceId, string Trigger, DateTimeOffset FiredAt)> _runs = new();

        public string Name => nameof(FinishedRuns);

        public IReadOnlyList<(string SourceId, string Trigger, DateTimeOffset FiredAt)> Runs => _runs.ToList();

        public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken)
        {
            _runs.Enqueue((context.JobDetail.Key.Name, context.Trigger.Key.Name, context.FireTimeUtc));
            return ValueTask.CompletedTask;
        }
    }
}
