using Dapper;
using Feeds.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Feeds.Tests.Durability;

/// <summary>After downtime each source is polled once, promptly, spread out — not once per missed interval, not all in one second.</summary>
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
        await host.WaitForPollsAsync(sources.Count, restarted);
        // Long enough for the first schedule checks of some sources (spread over 30 s) to come and find nothing due; all of them in the long run.
        await Task.Delay(LongTests.Enabled ? TimeSpan.FromSeconds(35) : TimeSpan.FromSeconds(5));

        var polls = sources.Urls.Select((url, i) => server.RequestCount(url.AbsolutePath) - before[i]).ToList();
        Assert.All(polls, count => Assert.Equal(1, count));
        var times = sources.Urls.SelectMany(url => server.RequestTimes(url.AbsolutePath).Where(t => t >= restarted)).Order().ToList();
        var gaps = times.Zip(times.Skip(1), (a, b) => b - a).ToList();
        Assert.All(gaps, gap => Assert.True(gap >= Spacing - TimeSpan.FromMilliseconds(20), $"two polls of one host {gap.TotalMilliseconds:0} ms apart"));
        Assert.True(times[^1] - restarted < TimeSpan.FromSeconds(15), $"the last source was polled {(times[^1] - restarted).TotalSeconds:0.0} s after the restart");
        var audit = await DatabaseAudit.ReadAsync(host.DatabasePath);
        Assert.Equal(sources.PublishedItemCount, audit.Items.Count);
        output.WriteLine($"after restart: {polls.Sum()} polls of {sources.Count} sources, from {(times[0] - restarted).TotalSeconds:0.00} s to {(times[^1] - restarted).TotalSeconds:0.00} s, gaps ≥ {gaps.Min().TotalMilliseconds:0} ms");
    }
}
