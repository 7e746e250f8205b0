using Dapper;
using Feeds.Core.Normalization;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Feeds.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Feeds.Tests.Storage;

/// <summary>What the SQLite store does to its file beyond the contracts (those are in Contracts/): schema version, WAL, space given back.</summary>
public sealed class SqliteFileTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private TempStore _temp = null!;

    public async Task InitializeAsync() => _temp = await TempStore.CreateAsync(new FakeTimeProvider(Now));

    public Task DisposeAsync()
    {
        _temp.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task MigrationsRecordTheirVersionAndTheDatabaseUsesWal()
    {
        await _temp.Schema.MigrateAsync(CancellationToken.None); // a second run changes nothing
        await using var connection = new SqliteConnection($"Data Source={_temp.DatabasePath}");
        await connection.OpenAsync();

        Assert.Equal(LatestMigration(), await connection.ExecuteScalarAsync<long>("PRAGMA user_version"));
        Assert.Equal("wal", await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
    }

    private static long LatestMigration() =>
        typeof(IPollStore).Assembly.GetManifestResourceNames().Where(n => n.Contains(".Storage.Sqlite.Migrations.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Max(n => long.Parse(n.Split(".Migrations.")[1].Split('_')[0], System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task ANewDatabaseVacuumsIncrementallyAndShrinksAfterAPrune()
    {
        var body = new string('x', 8000);
        await _temp.Polls.SavePollAsync(new SourceState { SourceId = "wire", Url = "https://wire.example.com/rss" },
            Enumerable.Range(0, 300).Select(i => new NormalizedItem { Key = $"i{i}", ContentHash = "h", Title = $"Item {i}", Content = body + i, Published = Now.AddDays(-i) }).ToList(),
            CancellationToken.None);
        await using var connection = new SqliteConnection($"Data Source={_temp.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        var before = await connection.ExecuteScalarAsync<long>("PRAGMA page_count");

        await _temp.Retention.PruneAsync(_ => new RetentionSettings(0, 10), _ => Task.FromResult<IReadOnlySet<long>>(new HashSet<long>()), CancellationToken.None);

        Assert.Equal(2, await connection.ExecuteScalarAsync<long>("PRAGMA auto_vacuum")); // 2 = INCREMENTAL
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("PRAGMA freelist_count"));
        Assert.True(await connection.ExecuteScalarAsync<long>("PRAGMA page_count") < before / 5, "the file did not give back the freed pages");
    }
}
