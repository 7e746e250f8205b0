using System.Diagnostics;
using System.Text.Json;
using Dapper;
using Feeds.Core.Storage;
using Feeds.Service.Scheduling;
using Feeds.Tests.Support;
using Microsoft.AspNetCore.Http;
using Quartz;

namespace Feeds.Tests.EndToEnd;

/// <summary>
/// The schedule as the sources see it, on the real service: what a config edit polls and what it stops. On SQLite (the
/// due queue, issue 17); <see cref="PostgresDueQueueTests"/> runs the same on PostgreSQL (a trigger per source in Quartz's
/// clustered job store).
/// </summary>
public class DueQueueTests : IAsyncLifetime
{
    protected virtual StoreKind Store => StoreKind.Sqlite;

    protected static readonly object[] Sections = [new { id = "all", title = "All", description = "Every source" }];
    private LoopbackSourceServer _server = null!;

    public async Task InitializeAsync() => _server = await LoopbackSourceServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private object SourceEntry(ChangingSources sources, int index) =>
        new { id = ChangingSources.IdOf(index), url = sources.Urls[index].AbsoluteUri, sections = new[] { "all" }, schedule = "1m" };

    [Fact]
    public async Task AConfigEditAddingASourcePollsItAtOnce()
    {
        var sources = new ChangingSources(_server, count: 2);
        var started = DateTimeOffset.UtcNow;
        await using var host = await FeedsTestHost.StartAsync(Sections, new[] { SourceEntry(sources, 0) }, store: Store);
        await host.WaitForPollsAsync(1, started);
        var keptPolls = _server.RequestCount(sources.Urls[0].AbsolutePath);

        var edited = Stopwatch.StartNew();
        await WriteConfigAsync(host, SourceEntry(sources, 0), SourceEntry(sources, 1));
        await WaitUntilAsync(() => Task.FromResult(_server.RequestCount(sources.Urls[1].AbsolutePath) == 1), "the added source's poll", TimeSpan.FromSeconds(10));

        // The config watcher waits for the file to settle (about half a second); the poll follows at once, not at a due time.
        Assert.True(edited.Elapsed < TimeSpan.FromSeconds(5), $"the added source was polled {edited.Elapsed.TotalSeconds:0.0} s after the edit");
        Assert.Equal(keptPolls, _server.RequestCount(sources.Urls[0].AbsolutePath));
    }

    [Fact]
    public async Task RemovingASourceStopsItsPolls()
    {
        var sources = new ChangingSources(_server, count: 2);
        var started = DateTimeOffset.UtcNow;
        await using var host = await FeedsTestHost.StartAsync(Sections, new[] { SourceEntry(sources, 0), SourceEntry(sources, 1) }, store: Store);
        await host.WaitForPollsAsync(2, started);
        var (kept, removed) = (ChangingSources.IdOf(0), ChangingSources.IdOf(1));
        var before = sources.Urls.Select(url => _server.RequestCount(url.AbsolutePath)).ToList();
        await WriteConfigAsync(host, SourceEntry(sources, 0));
        await WaitUntilAsync(() => Task.FromResult(host.Logs.Any(line => line.Contains("1 removed", StringComparison.Ordinal))), "the edit applied", TimeSpan.FromSeconds(5));

        // Both due now, as after a long pause: the kept source is polled, the removed one never again.
        await using (var connection = await host.OpenDatabaseAsync())
            await connection.ExecuteAsync("UPDATE sources SET next_due_at = @now", new { now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() });
        await WakeScheduleAsync(host, kept);
        await WaitUntilAsync(() => Task.FromResult(_server.RequestCount(sources.Urls[0].AbsolutePath) > before[0]), "the kept source's poll", TimeSpan.FromSeconds(5));
        await Task.Delay(TimeSpan.FromSeconds(1)); // a stray poll of the removed source would land by now

        Assert.Equal(before[1], _server.RequestCount(sources.Urls[1].AbsolutePath));
        await AssertRemovedFromScheduleAsync(host, removed);
    }

    /// <summary>Has the schedule look at what is due now: a run of the due queue's job.</summary>
    protected virtual async Task WakeScheduleAsync(FeedsTestHost host, string keptSourceId) =>
        await (await SchedulerOf(host)).TriggerJob(PollDueSourcesJob.Job);

    /// <summary>The due queue met the removed source's due time and cleared it, so it never meets it again.</summary>
    protected virtual async Task AssertRemovedFromScheduleAsync(FeedsTestHost host, string removedSourceId)
    {
        await using var connection = await host.OpenDatabaseAsync();
        Assert.Null(await connection.ExecuteScalarAsync<long?>("SELECT next_due_at FROM sources WHERE id = @removedSourceId", new { removedSourceId }));
    }

    protected static async Task<IScheduler> SchedulerOf(FeedsTestHost host) =>
        await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();

    private static Task WriteConfigAsync(FeedsTestHost host, params object[] sources) =>
        File.WriteAllTextAsync(host.ConfigPath, JsonSerializer.Serialize(new { sections = Sections, sources, fetching = FeedsTestHost.LoopbackFetching }));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan timeout)
    {
        var waiting = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(waiting.Elapsed < timeout, $"no {what} within {timeout.TotalSeconds:0} s");
            await Task.Delay(20);
        }
    }
}

/// <summary>The edits on PostgreSQL: the cluster's schedule, a trigger per source.</summary>
public sealed class PostgresDueQueueTests : DueQueueTests
{
    protected override StoreKind Store => StoreKind.Postgres;

    /// <summary>Runs the kept source's job; the removed source has none to run.</summary>
    protected override async Task WakeScheduleAsync(FeedsTestHost host, string keptSourceId) =>
        await (await SchedulerOf(host)).TriggerJob(SourceSchedule.JobOf(keptSourceId));

    protected override async Task AssertRemovedFromScheduleAsync(FeedsTestHost host, string removedSourceId) =>
        Assert.Null(await (await SchedulerOf(host)).GetJobDetail(SourceSchedule.JobOf(removedSourceId)));
}

/// <summary>
/// The due queue's bound on polls in flight, seen at the sources: the start-up polls of 50 sources come at most four at a
/// time. SQLite only: the bound is the single node's schedule's; a cluster's polls are Quartz jobs, bounded by its thread pool.
/// </summary>
public sealed class DueQueueBoundTests : IAsyncLifetime
{
    private readonly ConcurrencyGauge _inFlight = new();
    private LoopbackSourceServer _server = null!;

    public async Task InitializeAsync() => _server = await LoopbackSourceServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task FiftySourcesWithTheBoundAtFourNeverHaveMoreThanFourPollsInFlight()
    {
        const int count = 50;
        for (var i = 0; i < count; i++)
            _server.Handle($"/slow/{i}", CountedFeedAsync);
        var entries = Enumerable.Range(0, count)
            .Select(i => (object)new { id = $"s{i}", url = new Uri(_server.BaseUri, $"slow/{i}").AbsoluteUri, sections = new[] { "all" } })
            .ToArray();
        var started = DateTimeOffset.UtcNow;

        // Fetches and the host would allow 16 at once: only the schedule's bound holds them to 4.
        await using var host = await FeedsTestHost.StartAsync(new[] { new { id = "all", title = "All", description = "" } }, entries, fetching: new
        {
            allowPrivateNetworks = new[] { "127.0.0.1/32" },
            minHostSpacing = "0ms",
            perHostConcurrency = 16,
            maxConcurrency = 16,
            maxPollsInFlight = 4,
        });
        await host.WaitForPollsAsync(count, started, TimeSpan.FromSeconds(30));

        Assert.Equal(4, _inFlight.Most);
        Assert.All(Enumerable.Range(0, count), i => Assert.Equal(1, _server.RequestCount($"/slow/{i}")));
    }

    /// <summary>A feed answered after 200 ms, counting the requests being answered at the same moment, whatever their path.</summary>
    private Task CountedFeedAsync(HttpContext context) => _inFlight.RunAsync(async () =>
    {
        await Task.Delay(200, context.RequestAborted);
        context.Response.ContentType = "application/rss+xml";
        await context.Response.WriteAsync(
            $"<rss version=\"2.0\"><channel><title>{context.Request.Path}</title><link>https://news.example/</link>"
            + $"<item><title>Story of {context.Request.Path}</title><link>https://news.example{context.Request.Path}/1</link></item></channel></rss>",
            context.RequestAborted);
    });
}
