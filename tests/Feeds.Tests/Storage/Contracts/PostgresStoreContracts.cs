using Dapper;
using Feeds.Core.Composition;
using Feeds.Core.Sources;
using Feeds.Core.Storage.Postgres;
using Feeds.Tests.Support;
using Npgsql;

namespace Feeds.Tests.Storage.Contracts;

// The contract suite run against the PostgreSQL store, each test on a fresh database of the test run's server.
public sealed class PostgresPollStoreContract : PollStoreContract<PostgresStores>;

public sealed class PostgresPublishingStoreContract : PublishingStoreContract<PostgresStores>;

public sealed class PostgresSearchStoreContract : SearchStoreContract<PostgresStores>;

public sealed class PostgresStatusStoreContract : StatusStoreContract<PostgresStores>;

public sealed class PostgresRetentionStoreContract : RetentionStoreContract<PostgresStores>;

public sealed class PostgresActivityStoreContract : ActivityStoreContract<PostgresStores>;

public sealed class PostgresScheduleStoreContract : ScheduleStoreContract<PostgresStores>;

public sealed class PostgresBackupStoreContract : BackupStoreContract<PostgresStores>;

public sealed class PostgresSchemaStoreContract : SchemaStoreContract<PostgresStores>;

/// <summary>
/// PostgreSQL stores for the contract suite: a <see cref="TempPostgresStore"/> each, a backup restored into a database of
/// its own with pg_restore, and writes broken the way a database turned read-only (or a standby) breaks them.
/// </summary>
public sealed class PostgresStores : IStoreFactory
{
    public async Task<StoreUnderTest> CreateMigratedAsync(TimeProvider clock) => await TempPostgresStore.CreateAsync(clock);

    public async Task<StoreUnderTest> OpenBackupAsync(string backupPath, TimeProvider clock)
    {
        var server = await PostgresServer.GetAsync();
        var database = await server.CreateDatabaseAsync();
        var pgRestore = PostgresTools.Find("pg_restore") ?? throw new InvalidOperationException("pg_restore is not installed: install postgresql");
        var restore = await PostgresTools.RunAsync(pgRestore, ["--no-owner", "--exit-on-error", $"--dbname={database}", backupPath],
            new NpgsqlConnectionStringBuilder(server.ConnectionString(database)), CancellationToken.None);
        if (restore.ExitCode != 0)
            throw new InvalidOperationException($"pg_restore of {backupPath} failed: {restore.Errors}");
        return TempPostgresStore.Over(server, database, clock);
    }

    /// <summary>
    /// The database turns read-only under the store (<c>default_transaction_read_only</c>, as on a standby), and the store's
    /// idle connections are dropped so that its next ones start read-only. Writable again on dispose; the store must notice
    /// on its own that its connections are stale then.
    /// </summary>
    public async Task<IAsyncDisposable> BreakWritesAsync(StoreUnderTest store)
    {
        var broken = (TempPostgresStore)store;
        var server = await PostgresServer.GetAsync();
        await server.AdminAsync($"ALTER DATABASE {broken.Database} SET default_transaction_read_only = on");
        broken.Services.GetRequiredService<PostgresDatabase>().ClearPool();
        return new WritableAgain(server, broken.Database);
    }

    public Task UpgradeFromBeforeStoryReportsAsync(StoreUnderTest store) =>
        ExecuteAsync(store, StoryReportsUpgrade.Revert + StoryReportsUpgrade.Migrations("Postgres"));

    public async Task ExecuteAsync(StoreUnderTest store, string sql)
    {
        var changed = (TempPostgresStore)store;
        var server = await PostgresServer.GetAsync();
        await using (var connection = new NpgsqlConnection(server.ConnectionString(changed.Database)))
        {
            await connection.OpenAsync();
            await connection.ExecuteAsync(sql);
        }
        // The store's pooled connections may hold statements prepared against the database as it was.
        changed.Services.GetRequiredService<PostgresDatabase>().ClearPool();
    }

    private sealed class WritableAgain(PostgresServer server, string database) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await server.AdminAsync($"ALTER DATABASE {database} RESET default_transaction_read_only");
    }
}

/// <summary>A PostgreSQL store on a fresh database of the test run's server, migrated, used through its contracts; dropped on dispose.</summary>
public sealed class TempPostgresStore : StoreUnderTest
{
    private readonly PostgresServer _server;

    private TempPostgresStore(PostgresServer server, string database, ServiceProvider services) : base(services) =>
        (_server, Database, Services) = (server, database, services);

    public string Database { get; }

    public ServiceProvider Services { get; }

    public static async Task<TempPostgresStore> CreateAsync(TimeProvider clock)
    {
        var server = await PostgresServer.GetAsync();
        var store = Over(server, await server.CreateDatabaseAsync(), clock);
        await store.Schema.MigrateAsync(CancellationToken.None);
        return store;
    }

    public static TempPostgresStore Over(PostgresServer server, string database, TimeProvider clock) =>
        new(server, database, new ServiceCollection().AddSingleton(clock)
            .AddFeedsStore(StorageSettings.Postgres(server.ConnectionString(database)), databasePath: "").BuildServiceProvider());

    public override void Dispose()
    {
        base.Dispose();
        _server.DropDatabaseAsync(Database).GetAwaiter().GetResult();
    }
}
