using Dapper;
using Feeds.Core.Fetching;
using Feeds.Core.Normalization;
using Feeds.Core.Storage;
using Feeds.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Feeds.Tests.Storage;

public sealed class SqliteFeedStoreTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
    private SqliteFeedStore _store = null!;

    private static readonly SourceState Source = new() { SourceId = "wire", Url = "https://example.com/rss", Validators = new Validators("\"v1\"", null) };

    public async Task InitializeAsync()
    {
        _store = new SqliteFeedStore(_folder.File("feeds.db"), _clock);
        await _store.MigrateAsync(CancellationToken.None);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _store.Dispose();
        _folder.Dispose();
    }

    private static NormalizedItem Item(string key, string hash = "h1", string title = "Headline", DateTimeOffset? published = null) => new()
    {
        Key = key,
        ContentHash = hash,
        Title = title,
        Link = $"https://example.com/{key}",
        Published = published,
        Authors = [new Person("Jane Doe", null, null)],
        Categories = ["World"],
    };

    [Fact]
    public async Task MigrationsRecordTheirVersionAndTheDatabaseUsesWal()
    {
        await _store.MigrateAsync(CancellationToken.None); // a second run changes nothing
        await using var connection = new SqliteConnection($"Data Source={_folder.File("feeds.db")}");
        await connection.OpenAsync();

        Assert.Equal(SqliteMigrationsLatest(), await connection.ExecuteScalarAsync<long>("PRAGMA user_version"));
        Assert.Equal("wal", await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
    }

    private static long SqliteMigrationsLatest() =>
        typeof(SqliteFeedStore).Assembly.GetManifestResourceNames().Where(n => n.EndsWith(".sql", StringComparison.Ordinal))
            .Max(n => long.Parse(n.Split(".Migrations.")[1].Split('_')[0], System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task SavingTheSameItemsAgainAddsNothing()
    {
        var first = await _store.SavePollAsync(Source, [Item("a"), Item("b")], CancellationToken.None);
        var again = await _store.SavePollAsync(Source, [Item("a"), Item("b")], CancellationToken.None);

        Assert.Equal(new SaveResult(2, 0), first);
        Assert.Equal(new SaveResult(0, 0), again);
        Assert.Equal(2, (await _store.GetItemsAsync(["wire"], ItemCursor.Newest, 50, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task AChangedItemIsUpdatedInPlace()
    {
        await _store.SavePollAsync(Source, [Item("a")], CancellationToken.None);
        var before = Assert.Single(await _store.GetItemsAsync(["wire"], ItemCursor.Newest, 50, CancellationToken.None));

        var result = await _store.SavePollAsync(Source, [Item("a", hash: "h2", title: "Corrected headline")], CancellationToken.None);
        var after = Assert.Single(await _store.GetItemsAsync(["wire"], ItemCursor.Newest, 50, CancellationToken.None));

        Assert.Equal(new SaveResult(0, 1), result);
        Assert.Equal(before.Id, after.Id);
        Assert.Equal("Corrected headline", after.Title);
    }

    [Fact]
    public async Task AnItemWithoutADateKeepsItsFirstSeenTime()
    {
        await _store.SavePollAsync(Source, [Item("a")], CancellationToken.None);
        _clock.Advance(TimeSpan.FromHours(1));
        await _store.SavePollAsync(Source, [Item("a", hash: "h2")], CancellationToken.None);

        var item = Assert.Single(await _store.GetItemsAsync(["wire"], ItemCursor.Newest, 50, CancellationToken.None));
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero), item.PublishedAt);
        Assert.True(item.DateIsEstimated);
    }

    [Fact]
    public async Task LatestItemsAreNewestFirstAndLimited()
    {
        var day = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        await _store.SavePollAsync(Source, [Item("old", published: day), Item("new", published: day.AddDays(2)), Item("mid", published: day.AddDays(1))], CancellationToken.None);

        var items = await _store.GetItemsAsync(["wire"], ItemCursor.Newest, 2, CancellationToken.None);

        Assert.Equal(["new", "mid"], items.Select(i => i.ItemKey));
    }

    [Fact]
    public async Task SourceStateAndItemsSurviveReopening()
    {
        await _store.SavePollAsync(Source with { ConsecutiveFailures = 2, LastError = "boom" }, [Item("a")], CancellationToken.None);
        _store.Dispose();
        SqliteConnection.ClearAllPools();

        _store = new SqliteFeedStore(_folder.File("feeds.db"), _clock);
        await _store.MigrateAsync(CancellationToken.None);
        var state = await _store.GetSourceStateAsync("wire", CancellationToken.None);

        Assert.Equal("\"v1\"", state!.Validators.ETag);
        Assert.Equal(2, state.ConsecutiveFailures);
        Assert.Equal("boom", state.LastError);
        Assert.Single(await _store.GetItemsAsync(["wire"], ItemCursor.Newest, 50, CancellationToken.None));
    }

    [Fact]
    public async Task SourceVersionGrowsOnlyWhenItsItemsChange()
    {
        var start = _store.GetSourceVersion("wire");
        await _store.SavePollAsync(Source, [Item("a")], CancellationToken.None);
        var afterInsert = _store.GetSourceVersion("wire");
        await _store.SavePollAsync(Source, [Item("a")], CancellationToken.None);

        Assert.True(afterInsert > start);
        Assert.Equal(afterInsert, _store.GetSourceVersion("wire"));
        Assert.Equal(0, _store.GetSourceVersion("other"));
    }
}
