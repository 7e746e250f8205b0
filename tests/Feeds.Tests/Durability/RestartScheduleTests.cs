using System.Diagnostics;
using Dapper;
using Feeds.Core.Storage;
using Feeds.Service.Scheduling;
using Feeds.Tests.Support;
using Microsoft.Data.Sqlite;
using Quartz;
using Xunit.Abstractions;

namespace Feeds.Tests.Durability;

/// <summary>
/// After downtime each source is polled once, promptly, spread out — not once per missed interval, not all in one second
/// — and then not again before its due time: the schedule's one trigger is re-armed at the earliest due time the polls
/// stored, and nothing else fires. The test reads the trigger off the service's scheduler, so it need not wait out an interval.
/// </summary>
[Collection(DurabilityCollection.Name)]
public sealed class RestartScheduleTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Spacing = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task AfterThreeDaysDownEachSourceIsPolledOnceSoonAndNotAllAtOnceThenArmedAtItsDueTime()
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
        await host.WaitForPollsAsync(sources.Count, restarted);
        var armed = await WaitForTriggersAtDueTimesAsync(host, sources, timeout: TimeSpan.FromSeconds(10));
        // Every source's only trigger is at its due time, a minute or more ahead: nothing polls it before then. A short look confirms it.
        await Task.Delay(TimeSpan.FromSeconds(1));

        var polls = sources.Urls.Select((url, i) => server.RequestCount(url.AbsolutePath) - before[i]).ToList();
        Assert.All(polls, count => Assert.Equal(1, count));
        var times = sources.Urls.SelectMany(url => server.RequestTimes(url.AbsolutePath).Where(t => t >= restarted)).Order().ToList();
        var gaps = times.Zip(times.Skip(1), (a, b) => b - a).ToList();
        // Starts are spaced at the client. An arrival at the server can be late by the scheduling jitter of a loaded
        // machine (150 ms seen), which shortens the gap before the next one, but not the span of them all; unspaced, the
        // eight polls of one host would arrive within a few milliseconds of each other.
        Assert.All(gaps, gap => Assert.True(gap >= Spacing / 2, $"two polls of one host {gap.TotalMilliseconds:0} ms apart"));
        Assert.True(times[^1] - times[0] >= (times.Count - 1) * Spacing - TimeSpan.FromMilliseconds(150), $"{times.Count} polls of one host within {(times[^1] - times[0]).TotalMilliseconds:0} ms");
        Assert.True(times[^1] - restarted < TimeSpan.FromSeconds(15), $"the last source was polled {(times[^1] - restarted).TotalSeconds:0.0} s after the restart");
        var audit = await DatabaseAudit.ReadAsync(host.DatabasePath);
        Assert.Equal(sources.PublishedItemCount, audit.Items.Count);
        output.WriteLine($"after restart: {polls.Sum()} polls of {sources.Count} sources, from {(times[0] - restarted).TotalSeconds:0.00} s to {(times[^1] - restarted).TotalSeconds:0.00} s, gaps ≥ {gaps.Min().TotalMilliseconds:0} ms; "
            + $"then each armed at its due time, {(armed.Min() - restarted).TotalSeconds:0.0} s to {(armed.Max() - restarted).TotalSeconds:0.0} s after the restart");
    }

    /// <summary>
    /// Waits until every source's stored due time, set by its poll, is ahead and the schedule's one trigger is at the
    /// earliest of them: nothing polls a source before then. Returns those times.
    /// </summary>
    private static async Task<IReadOnlyList<DateTimeOffset>> WaitForTriggersAtDueTimesAsync(FeedsTestHost host, ChangingSources sources, TimeSpan timeout)
    {
        var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var store = host.Services.GetRequiredService<IPollStore>();
        var waiting = Stopwatch.StartNew();
        while (true)
        {
            var problems = new List<string>();
            var armed = new List<DateTimeOffset>();
            for (var index = 0; index < sources.Count; index++)
            {
                var id = ChangingSources.IdOf(index);
                var state = await store.GetSourceStateAsync(id, CancellationToken.None);
                if (state?.NextDueAt is { } dueAt && dueAt > DateTimeOffset.UtcNow)
                    armed.Add(dueAt);
                else
                    problems.Add($"{id}: stored due {state?.NextDueAt:O}");
            }
            var trigger = await scheduler.GetTrigger(PollDueSourcesJob.Trigger);
            if (problems.Count == 0 && trigger?.NextFireTimeUtc == armed.Min())
                return armed;
            problems.Add($"the schedule's trigger at {trigger?.NextFireTimeUtc:O}");
            Assert.True(waiting.Elapsed < timeout, $"within {timeout.TotalSeconds:0} s of the polls not every source was armed at its due time: " + string.Join("; ", problems));
            await Task.Delay(100);
        }
    }
}
