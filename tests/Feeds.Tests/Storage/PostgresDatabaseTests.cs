using Dapper;
using Feeds.Core.Composition;
using Feeds.Core.Normalization;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Feeds.Core.Storage.Postgres;
using Feeds.Tests.Storage.Contracts;
using Feeds.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Feeds.Tests.Storage;

/// <summary>
/// What the PostgreSQL store does beyond the contracts (those are in Contracts/): the schema it records and the databases
/// it refuses, the counters every process sharing the database reads, and a server that cannot be reached.
/// </summary>
public sealed class PostgresDatabaseTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly FakeTimeProvider _clock = new(Now);
    private PostgresServer _server = null!;
    private string _database = null!;

    public async Task InitializeAsync()
    {
        _server = await PostgresServer.GetAsync();
        _database = await _server.CreateDatabaseAsync();
    }

    public Task DisposeAsync() => _server.DropDatabaseAsync(_database);

    private StoreUnderTest Store(string? connectionString = null) =>
        new(new ServiceCollection().AddSingleton<TimeProvider>(_clock)
            .AddFeedsStore(StorageSettings.Postgres(connectionString ?? _server.ConnectionString(_database)), databasePath: "").BuildServiceProvider());

    private NpgsqlConnection Connect() => new(_server.ConnectionString(_database));

    private static SourceState State(string sourceId) => new() { SourceId = sourceId, Url = $"https://{sourceId}.example.com/rss" };

    private static NormalizedItem Item(string key, string hash = "h1") => new() { Key = key, ContentHash = hash, Title = key, Published = Now.AddHours(-1) };

    [Fact]
    public async Task EachNodesRecordIsListedUntilItLeavesOrFallsSilent()
    {
        await using var services = new ServiceCollection().AddSingleton<TimeProvider>(_clock)
            .AddFeedsStore(StorageSettings.Postgres(_server.ConnectionString(_database)), databasePath: "").BuildServiceProvider();
        await services.GetRequiredService<ISchemaStore>().MigrateAsync(None);
        var nodes = services.GetRequiredService<INodeRegistry>();
        var started = Now.AddMinutes(-5);

        await nodes.CheckInAsync(new NodeRecord("a", "1.0", "h1", started, Now.AddSeconds(-3)), None);
        await nodes.CheckInAsync(new NodeRecord("b", "1.0", "h1", started, Now.AddMinutes(-1)), None);
        await nodes.CheckInAsync(new NodeRecord("a", "1.1", "h2", started, Now), None);

        // a's last check-in replaced its first; b, silent past the window, is listed no more, even in a wider one.
        Assert.Equal([new NodeRecord("a", "1.1", "h2", started, Now)], await nodes.GetNodesAsync(Now.AddSeconds(-30), None));
        Assert.Equal(["a"], (await nodes.GetNodesAsync(Now.AddHours(-1), None)).Select(node => node.Id));
        await nodes.LeaveAsync("a", None);
        Assert.Empty(await nodes.GetNodesAsync(Now.AddHours(-1), None));
    }

    [Fact]
    public async Task MigratingRecordsTheSchemaVersionOnce()
    {
        using var store = Store();

        await store.Schema.MigrateAsync(None);
        await store.Schema.MigrateAsync(None);

        await using var connection = Connect();
        Assert.Equal(MigrationNumbers(), await connection.QueryAsync<int>("SELECT version FROM feeds_schema_version ORDER BY version"));
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM store_versions"));
    }

    /// <summary>The numbers of the embedded migrations: branches take numbers apart, so they may have gaps.</summary>
    private static List<int> MigrationNumbers() =>
        typeof(IPollStore).Assembly.GetManifestResourceNames()
            .Where(n => n.Contains(".Storage.Postgres.Migrations.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => int.Parse(n.Split(".Migrations.")[1].Split('_')[0], System.Globalization.CultureInfo.InvariantCulture))
            .Order()
            .ToList();

    [Fact]
    public async Task AnotherProgramsDatabaseIsRefusedAndLeftAsItWas()
    {
        await using (var connection = Connect())
            await connection.ExecuteAsync("CREATE TABLE invoices (id integer PRIMARY KEY)");
        using var store = Store();

        var refused = await Assert.ThrowsAsync<DatabaseRefusedException>(() => store.Schema.MigrateAsync(None));

        Assert.Contains("another program's tables (invoices)", refused.Problem);
        await using var check = Connect();
        Assert.Equal(["invoices"], await check.QueryAsync<string>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"));
    }

    [Fact]
    public async Task ADatabaseOfANewerFeedsIsRefused()
    {
        using (var store = Store())
            await store.Schema.MigrateAsync(None);
        await using (var connection = Connect())
            await connection.ExecuteAsync("INSERT INTO feeds_schema_version (version) VALUES (999)");
        using var newer = Store();

        var refused = await Assert.ThrowsAsync<DatabaseRefusedException>(() => newer.Schema.MigrateAsync(None));

        Assert.Contains("written by a newer Feeds (schema version 999", refused.Problem);
    }

    /// <summary>Two stores on one database stand for two processes: neither keeps a count the other cannot see.</summary>
    [Fact]
    public async Task EveryProcessOnTheDatabaseSeesTheOthersChangesInTheVersionsAndTheChangeCount()
    {
        using var first = Store();
        using var second = Store();
        await first.Schema.MigrateAsync(None);
        var (store, wire, changes) = (second.Publishing.GetStoreVersion(), second.Publishing.GetSourceVersion("wire"), second.Status.ChangeCount);

        await first.Polls.SavePollAsync(State("wire"), [Item("a")], None);
        var (storeAfterSave, wireAfterSave, changesAfterSave) =
            (second.Publishing.GetStoreVersion(), second.Publishing.GetSourceVersion("wire"), second.Status.ChangeCount);
        await first.Polls.SavePollAsync(State("wire") with { LastOutcome = PollOutcome.NotModified }, [], None);
        var (storeAfterNotModified, changesAfterNotModified) = (second.Publishing.GetStoreVersion(), second.Status.ChangeCount);
        await second.Polls.SavePollAsync(State("desk"), [Item("d")], None);

        Assert.True(storeAfterSave > store && wireAfterSave > wire && changesAfterSave > changes, "the other process's saved poll was not seen");
        Assert.Equal(storeAfterSave, storeAfterNotModified);
        Assert.True(changesAfterNotModified > changesAfterSave, "a poll that changed only the state was not counted");
        Assert.True(first.Publishing.GetStoreVersion() > storeAfterSave);
        Assert.Equal(wireAfterSave, first.Publishing.GetSourceVersion("wire"));
        Assert.True(first.Publishing.GetSourceVersion("desk") > 0);
    }

    [Fact]
    public async Task AServerThatCannotBeReachedIsAWriteFaultAndUnhealthyAndTheLastVersionsStand()
    {
        using var reachable = Store();
        await reachable.Schema.MigrateAsync(None);
        await reachable.Polls.SavePollAsync(State("wire"), [Item("a")], None);
        var closedPort = new NpgsqlConnectionStringBuilder(_server.ConnectionString(_database)) { Port = ClosedPort(), Timeout = 2 }.ToString();
        using var unreachable = Store(closedPort);

        await Assert.ThrowsAnyAsync<NpgsqlException>(() => unreachable.Polls.SavePollAsync(State("wire"), [Item("b")], None));

        var fault = Assert.IsType<StoreFault>(unreachable.Polls.WriteFault);
        Assert.Contains("cannot be reached", fault.Reason);
        Assert.False(await unreachable.Status.IsHealthyAsync(None));
        Assert.Equal(0, unreachable.Publishing.GetStoreVersion());
        Assert.Equal(["a"], (await reachable.Polls.GetItemHashesAsync("wire", None)).Keys);
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
