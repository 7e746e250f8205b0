using Dapper;
using Feeds.Core.Normalization;
using Feeds.Core.Publishing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Feeds.Service.Scheduling;
using Feeds.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Quartz;

namespace Feeds.Tests.Storage;

public sealed class RetentionTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Now);
    private TempStore _temp = null!;
    private SqliteFeedStore _store = null!;
    private SectionPages _pages = null!;

    public async Task InitializeAsync()
    {
        _temp = await TempStore.CreateAsync(_clock);
        _store = _temp.Store;
        _pages = new SectionPages(_store);
    }

    public Task DisposeAsync()
    {
        _temp.Dispose();
        return Task.CompletedTask;
    }

    private static readonly Section World = new("world", "World", "");

    private static FeedsConfig Config(RetentionSettings retention, int itemsPerFeed = 50) => new("feeds.json", [World],
        [Source("wire"), Source("desk")], new PublishingSettings(itemsPerFeed)) { Retention = retention };

    private static Source Source(string id) => new(id, id, SourceLocation.ForUrl(new Uri($"https://{id}.example.com/rss")), ["world"], TimeSpan.FromMinutes(30));

    private static NormalizedItem Item(string key, int daysOld, string? link = null, string body = "") => new NormalizedItem
    {
        Key = key,
        ContentHash = "hash-" + key,
        Title = $"A headline of its own: {key}",
        Link = link ?? $"https://example.com/{key}",
        Content = body,
        Published = Now.AddDays(-daysOld),
    }.WithStoryKeys();

    private Task SaveAsync(string sourceId, params NormalizedItem[] items) =>
        _store.SavePollAsync(new SourceState { SourceId = sourceId, Url = $"https://{sourceId}.example.com/rss" }, items, CancellationToken.None);

    private Task<PruneResult> PruneAsync(FeedsConfig config) =>
        _store.PruneAsync(config.RetentionOf, token => RetentionJob.ShownOnFirstPagesAsync(_pages, config, token), CancellationToken.None);

    private async Task<string[]> KeysAsync(string sourceId) =>
        (await _store.GetItemsAsync([sourceId], ItemCursor.Newest, 1000, CancellationToken.None)).Select(i => i.ItemKey).ToArray();

    [Fact]
    public async Task ItemsOlderThanMaxAgeAreRemoved()
    {
        await SaveAsync("wire", Item("fresh", 10), Item("edge", 89), Item("old", 91), Item("ancient", 400));

        // One entry per page, so only the newest item is protected.
        var result = await PruneAsync(Config(new RetentionSettings(MaxAgeDays: 90, MaxItemsPerSource: 0), itemsPerFeed: 1));

        Assert.Equal(["fresh", "edge"], await KeysAsync("wire"));
        Assert.Equal(2, result.Removed);
        Assert.Equal(2, result.RemovedBySource["wire"]);
    }

    [Fact]
    public async Task EachSourceKeepsItsNewestMaxItems()
    {
        await SaveAsync("wire", Enumerable.Range(1, 6).Select(day => Item($"w{day}", day)).ToArray());
        await SaveAsync("desk", Item("d1", 1), Item("d2", 2));

        var result = await PruneAsync(Config(new RetentionSettings(MaxAgeDays: 0, MaxItemsPerSource: 3), itemsPerFeed: 1));

        Assert.Equal(["w1", "w2", "w3"], await KeysAsync("wire"));
        Assert.Equal(["d1", "d2"], await KeysAsync("desk"));
        Assert.Equal(3, result.Removed);
    }

    [Fact]
    public async Task ASourcesOwnRetentionWinsOverTheTopLevelOne()
    {
        await SaveAsync("wire", Item("w1", 1), Item("w2", 2), Item("w3", 3));
        await SaveAsync("desk", Item("d1", 1), Item("d2", 2), Item("d3", 3));
        var config = Config(new RetentionSettings(0, 0), itemsPerFeed: 1) with
        {
            Sources = [Source("wire") with { Retention = new RetentionSettings(0, 1) }, Source("desk")],
        };

        await PruneAsync(config);

        Assert.Equal(["w1"], await KeysAsync("wire"));
        Assert.Equal(["d1", "d2", "d3"], await KeysAsync("desk"));
    }

    [Fact]
    public async Task WhatAFirstPageShowsIsKeptHoweverOldWithTheStorysOtherReports()
    {
        // The first page of two entries: "new", then the old story "scoop" with desk's later report of it folded in.
        await SaveAsync("wire", Item("new", 0), Item("scoop", 120, link: "https://example.com/scoop"), Item("stale", 130));
        await SaveAsync("desk", Item("scoop-again", 100, link: "https://example.com/scoop"));
        var config = Config(new RetentionSettings(MaxAgeDays: 90, MaxItemsPerSource: 1), itemsPerFeed: 2);
        var firstPage = await _pages.GetAsync(config, World, ItemCursor.Newest, 2, CancellationToken.None);
        Assert.Equal(["new", "scoop"], firstPage.Entries.Select(e => e.Item.ItemKey));

        var result = await PruneAsync(config);

        Assert.Equal(["new", "scoop"], await KeysAsync("wire"));
        Assert.Equal(["scoop-again"], await KeysAsync("desk"));
        Assert.Equal(1, result.Removed);
        Assert.Equal(2, result.Spared);
        var after = await _pages.GetAsync(config, World, ItemCursor.Newest, 2, CancellationToken.None);
        Assert.Equal(firstPage.Entries.Select(e => (e.Item.Id, e.AlsoReportedBy.Count)), after.Entries.Select(e => (e.Item.Id, e.AlsoReportedBy.Count)));
    }

    [Fact]
    public async Task APrunedItemStaysKnownSoAFeedThatStillCarriesItDoesNotBringItBack()
    {
        await SaveAsync("wire", Item("new", 0), Item("old", 200));

        await PruneAsync(Config(new RetentionSettings(90, 0), itemsPerFeed: 1));
        var known = await _store.GetItemHashesAsync("wire", CancellationToken.None);

        Assert.Equal(["new"], await KeysAsync("wire"));
        Assert.Equal("hash-old", known["old"]);
        Assert.Equal("hash-new", known["new"]);
    }

    [Fact]
    public async Task TombstonesAreForgottenAfterTheirLifetime()
    {
        await SaveAsync("wire", Item("new", 0), Item("old", 200));
        await PruneAsync(Config(new RetentionSettings(90, 0), itemsPerFeed: 1));

        _clock.Advance(SqliteFeedStore.TombstoneLifetime + TimeSpan.FromDays(1));
        await PruneAsync(Config(new RetentionSettings(0, 0)));

        Assert.False((await _store.GetItemHashesAsync("wire", CancellationToken.None)).ContainsKey("old"));
    }

    [Fact]
    public async Task APruneChangesTheSourceVersionSoCachedPagesAreRebuilt()
    {
        await SaveAsync("wire", Item("new", 0), Item("old", 200));
        await SaveAsync("desk", Item("d", 0));
        var (wire, desk) = (_store.GetSourceVersion("wire"), _store.GetSourceVersion("desk"));

        await PruneAsync(Config(new RetentionSettings(90, 0), itemsPerFeed: 1));

        Assert.True(_store.GetSourceVersion("wire") > wire);
        Assert.Equal(desk, _store.GetSourceVersion("desk"));
    }

    [Fact]
    public async Task ANewDatabaseVacuumsIncrementallyAndShrinksAfterAPrune()
    {
        var body = new string('x', 8000);
        await SaveAsync("wire", Enumerable.Range(0, 300).Select(i => Item($"i{i}", i, body: body + i)).ToArray());
        await using var connection = new SqliteConnection($"Data Source={_temp.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        var before = await connection.ExecuteScalarAsync<long>("PRAGMA page_count");

        await PruneAsync(Config(new RetentionSettings(0, 10), itemsPerFeed: 1));

        Assert.Equal(2, await connection.ExecuteScalarAsync<long>("PRAGMA auto_vacuum")); // 2 = INCREMENTAL
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("PRAGMA freelist_count"));
        Assert.True(await connection.ExecuteScalarAsync<long>("PRAGMA page_count") < before / 5, "the file did not give back the freed pages");
    }

    [Fact]
    public async Task TheServiceSchedulesRetentionHourlyAndCanBuildTheJob()
    {
        await using var host = await FeedsTestHost.StartAsync(
            new[] { new { id = "world", title = "World" } },
            new[] { new { id = "wire", url = TestFiles.Sample("world-wire.rss"), sections = new[] { "world" } } });
        var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();

        var trigger = Assert.IsAssignableFrom<ISimpleTrigger>(Assert.Single(await scheduler.GetTriggersOfJob(RetentionSchedule.Job)));

        Assert.Equal(TimeSpan.FromHours(1), trigger.RepeatInterval);
        // Quartz builds the job from the container when it fires, an hour from now: prove now that it can.
        Assert.NotNull(ActivatorUtilities.CreateInstance<RetentionJob>(host.Services));
    }
}
