using Feeds.Core.Normalization;
using Feeds.Core.Publishing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Feeds.Service.Scheduling;
using Feeds.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Quartz;

namespace Feeds.Tests.Storage;

/// <summary>
/// Retention as the service runs it: what sections' first pages show is spared, and the job is scheduled. What the store
/// itself promises (ages, counts, tombstones) is in <see cref="Contracts.RetentionStoreContract{TStores}"/>. On SQLite;
/// <see cref="PostgresRetentionTests"/> runs the same on PostgreSQL, where the prune locks the tables while it asks what
/// the first pages show.
/// </summary>
public class RetentionTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Now);
    private Contracts.StoreUnderTest _temp = null!;
    private SectionPages _pages = null!;

    protected virtual StoreKind Store => StoreKind.Sqlite;

    public async Task InitializeAsync()
    {
        _temp = Store == StoreKind.Postgres ? await Contracts.TempPostgresStore.CreateAsync(_clock) : await TempStore.CreateAsync(_clock);
        _pages = new SectionPages(_temp.Publishing);
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

    private static NormalizedItem Item(string key, int daysOld, string? link = null) => new NormalizedItem
    {
        Key = key,
        ContentHash = "hash-" + key,
        Title = $"A headline of its own: {key}",
        Link = link ?? $"https://example.com/{key}",
        Published = Now.AddDays(-daysOld),
    }.WithStoryKeys();

    private Task SaveAsync(string sourceId, params NormalizedItem[] items) =>
        _temp.Polls.SavePollAsync(new SourceState { SourceId = sourceId, Url = $"https://{sourceId}.example.com/rss" }, items, CancellationToken.None);

    private Task<PruneResult> PruneAsync(FeedsConfig config) =>
        _temp.Retention.PruneAsync(config.RetentionOf, token => RetentionJob.ShownOnFirstPagesAsync(_pages, config, token), CancellationToken.None);

    private async Task<string[]> KeysAsync(string sourceId) =>
        (await _temp.Publishing.GetItemsAsync([sourceId], ItemCursor.Newest, 1000, CancellationToken.None)).Select(i => i.ItemKey).ToArray();

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
    public async Task TheServiceSchedulesRetentionHourlyAndCanBuildTheJob()
    {
        await using var host = await FeedsTestHost.StartAsync(
            new[] { new { id = "world", title = "World" } },
            new[] { new { id = "wire", url = TestFiles.Sample("world-wire.rss"), sections = new[] { "world" } } }, store: Store);
        var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();

        var trigger = Assert.IsAssignableFrom<ISimpleTrigger>(Assert.Single(await scheduler.GetTriggersOfJob(RetentionSchedule.Job)));

        Assert.Equal(TimeSpan.FromHours(1), trigger.RepeatInterval);
        // Quartz builds the job from the container when it fires, an hour from now: prove now that it can.
        Assert.NotNull(ActivatorUtilities.CreateInstance<RetentionJob>(host.Services));
    }
}

/// <summary>The same with the store in PostgreSQL.</summary>
public sealed class PostgresRetentionTests : RetentionTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}
