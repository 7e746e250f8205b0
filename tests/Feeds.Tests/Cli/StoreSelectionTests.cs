using Dapper;
using Feeds.Core.Sources;
using Feeds.Tests.Support;
using Feeds.Service.Hosting;
using Npgsql;

namespace Feeds.Tests.Cli;

/// <summary>
/// Which store the service uses: the config's <c>storage</c> object, over it the environment (<c>FEEDS_STORAGE__*</c>,
/// <c>FEEDS_POSTGRES</c>), over that <c>--store</c> and <c>--connection</c>; SQLite when nothing says otherwise. Then the
/// operator's verbs run on a real PostgreSQL database chosen that way.
/// </summary>
public sealed class StoreSelectionTests : IDisposable
{
    private const string FileConnection = "Host=file.example.com;Database=feeds";
    private const string EnvironmentConnection = "Host=environment.example.com;Database=feeds";
    private readonly TempFolder _folder = new();

    private static string Config => Path.Combine(TestFiles.Root, "config", "feeds.json");

    public void Dispose() => _folder.Dispose();

    private static FeedsConfig ConfigWith(string storage)
    {
        var json = $$"""
            { "sections": [{ "id": "news", "title": "News" }], "sources": [{ "id": "wire", "url": "https://wire.example.com/rss", "sections": ["news"] }],
              "storage": {{storage}} }
            """;
        var (config, problems) = ConfigLoader.Parse(json, "/srv/feeds/feeds.json");
        Assert.Empty(problems);
        return config!;
    }

    private static FeedsSettings Resolve(Dictionary<string, string> environment, string? store = null, string? connection = null) =>
        FeedsSettings.Resolve(null, null, null, store: store, connection: connection, environment: name => environment.GetValueOrDefault(name));

    [Fact]
    public void NothingSaidIsSqliteAtTheDatabasePath()
    {
        var settings = Resolve([]);

        Assert.Equal(new StorageSettings(), settings.Storage(null));
        Assert.Equal(new StorageSettings(), settings.Storage(ConfigWith("{}")));
        Assert.Equal(FeedsSettings.DefaultDatabasePath, settings.DatabasePath);
    }

    [Fact]
    public void TheConfigFileChoosesAndTheEnvironmentThenTheFlagsOverrideEachPart()
    {
        var file = ConfigWith($$"""{ "provider": "postgres", "connectionString": "{{FileConnection}}" }""");

        Assert.Equal(StorageSettings.Postgres(FileConnection), Resolve([]).Storage(file));
        Assert.Equal(StorageSettings.Postgres(EnvironmentConnection),
            Resolve(new() { ["FEEDS_STORAGE__CONNECTIONSTRING"] = EnvironmentConnection }).Storage(file));
        Assert.Equal(new StorageSettings(), Resolve(new() { ["FEEDS_STORAGE__PROVIDER"] = "sqlite" }).Storage(file));
        Assert.Equal(StorageSettings.Postgres("Host=flag.example.com"),
            Resolve(new() { ["FEEDS_STORAGE__CONNECTIONSTRING"] = EnvironmentConnection }, connection: "Host=flag.example.com").Storage(file));
        Assert.Equal(new StorageSettings(), Resolve(new() { ["FEEDS_POSTGRES"] = EnvironmentConnection }, store: "sqlite").Storage(file));
    }

    [Fact]
    public void FeedsPostgresAloneChoosesPostgresWithItsConnectionString()
    {
        var settings = Resolve(new() { ["FEEDS_POSTGRES"] = EnvironmentConnection });

        Assert.Equal(StorageSettings.Postgres(EnvironmentConnection), settings.Storage(null));
        Assert.Equal(StorageSettings.Postgres(EnvironmentConnection), settings.Storage(ConfigWith("""{ "provider": "sqlite" }""")));
    }

    [Fact]
    public void PostgresWithoutAConnectionStringIsRefusedSayingWhereToGiveOne()
    {
        var error = Assert.Throws<InvalidConfigException>(() => Resolve([], store: "postgres").Storage(ConfigWith("{}")));
        var fromFile = Assert.Throws<InvalidConfigException>(() => Resolve([]).Storage(ConfigWith("""{ "provider": "postgres" }""")));

        var problem = Assert.Single(error.Problems);
        Assert.Equal("--store", problem.File);
        Assert.Contains("needs a connection string", problem.Message);
        Assert.Contains("FEEDS_POSTGRES", problem.Message);
        Assert.Contains("--connection", problem.Message);
        Assert.Equal("/srv/feeds/feeds.json", Assert.Single(fromFile.Problems).File);
    }

    [Fact]
    public void AnUnknownProviderOrAConnectionStringForSqliteIsRefusedNamingWhereItCameFrom()
    {
        var unknown = Assert.Throws<InvalidConfigException>(() => Resolve(new() { ["FEEDS_STORAGE__PROVIDER"] = "mysql" }).Storage(null));
        var sqliteConnection = Assert.Throws<InvalidConfigException>(() => Resolve([], connection: EnvironmentConnection).Storage(null));
        var (_, fileProblems) = ConfigLoader.Parse("""
            { "sections": [{ "id": "news", "title": "News" }], "sources": [{ "id": "wire", "url": "https://wire.example.com/rss", "sections": ["news"] }],
              "storage": { "provider": "oracle", "connectionString": 5 } }
            """, "/srv/feeds/feeds.json");

        Assert.Equal(("FEEDS_STORAGE__PROVIDER", "\"mysql\" is not a store; use sqlite or postgres"),
            (Assert.Single(unknown.Problems).File, unknown.Problems[0].Message));
        Assert.Equal("--connection", Assert.Single(sqliteConnection.Problems).File);
        Assert.Equal(["storage.connectionString", "storage.connectionString", "storage.provider"], fileProblems.Select(p => p.Path).Order());
    }

    [Fact]
    public async Task RefreshSourcesAndBackupRunOnPostgresChosenByFlagsOrByFeedsPostgres()
    {
        var server = await PostgresServer.GetAsync();
        var database = await server.CreateDatabaseAsync();
        var connection = server.ConnectionString(database);
        var postgres = new[] { "--config", Config, "--store", "postgres", "--connection", connection };

        var refresh = await FeedsProcess.RunAsync(["refresh", .. postgres]);
        var sources = await FeedsProcess.RunAsync(new Dictionary<string, string> { ["FEEDS_POSTGRES"] = connection }, "sources", "--config", Config);
        var backup = await FeedsProcess.RunAsync(["backup", _folder.File("feeds.dump"), .. postgres]);

        Assert.True(refresh.ExitCode == 0, refresh.Error + refresh.Output);
        Assert.True(sources.ExitCode == 0, sources.Error);
        Assert.Contains("4 source(s), 0 failing, 0 silent, 0 gone, 0 never polled, 4 ok", sources.Output);
        await using var direct = new NpgsqlConnection(connection);
        var items = await direct.ExecuteScalarAsync<long>("SELECT count(*) FROM items");
        Assert.True(items > 0, "refresh stored no items in PostgreSQL");
        Assert.True(backup.ExitCode == 0, backup.Error);
        Assert.Contains($"{items} items, integrity ok", backup.Output);
        Assert.True(new FileInfo(_folder.File("feeds.dump")).Length > 0);
        await server.DropDatabaseAsync(database);
    }

    [Fact]
    public async Task ServeOnPostgresChosenByTheConfigFileStoresAndServesFromTheDatabase()
    {
        var server = await PostgresServer.GetAsync();
        var database = await server.CreateDatabaseAsync();
        var config = _folder.File("feeds.json");
        await File.WriteAllTextAsync(config, System.Text.Json.JsonSerializer.Serialize(new
        {
            sections = new[] { new { id = "news", title = "News" } },
            sources = new[] { new { id = "wire", url = TestFiles.Sample("world-wire.rss"), sections = new[] { "news" } } },
            storage = new { provider = "postgres", connectionString = server.ConnectionString(database) },
        }));

        await using (var service = await FeedsServiceProcess.StartAsync(config, storeArguments: []))
        {
            await service.WaitForOutputAsync(line => line.Contains("Polled wire: 10 items in feed, 10 new", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            var feed = await service.Client.GetStringAsync("sections/news/rss");
            Assert.Equal(10, System.Text.RegularExpressions.Regex.Count(feed, "<item>"));
            Assert.Equal(System.Net.HttpStatusCode.OK, (await service.Client.GetAsync("healthz")).StatusCode);
        }

        await using var direct = new NpgsqlConnection(server.ConnectionString(database));
        Assert.Equal(10, await direct.ExecuteScalarAsync<long>("SELECT count(*) FROM items WHERE source_id = 'wire'"));
        await server.DropDatabaseAsync(database);
    }

    [Fact]
    public async Task AStoreThatCannotBeUsedIsRefusedWithWhatAndWhere()
    {
        var missingConnection = await FeedsProcess.RunAsync("sources", "--config", Config, "--store", "postgres");
        var unknownStore = await FeedsProcess.RunAsync("sources", "--config", Config, "--store", "mysql");
        var server = await PostgresServer.GetAsync();
        var noDatabase = await FeedsProcess.RunAsync("sources", "--config", Config, "--store", "postgres", "--connection", server.ConnectionString("no_such_database"));

        Assert.Equal(2, missingConnection.ExitCode);
        Assert.Contains("--store: the PostgreSQL store needs a connection string", missingConnection.Error);
        Assert.Equal(2, unknownStore.ExitCode);
        Assert.Contains("mysql", unknownStore.Error);
        Assert.NotEqual(0, noDatabase.ExitCode);
        Assert.Contains("the database does not exist", noDatabase.Error);
        Assert.Contains("createdb no_such_database", noDatabase.Error);
        Assert.DoesNotContain("Unhandled exception", noDatabase.Error);
    }

    [Fact]
    public void TheOperatorTokenMayComeFromTheEnvironment()
    {
        Assert.Equal("0123456789abcdef0123456789abcdef", Resolve(new() { ["FEEDS_OPERATORS__TOKEN"] = " 0123456789abcdef0123456789abcdef\n" }).OperatorToken);
        Assert.Null(Resolve([]).OperatorToken);
    }
}
