using System.Collections.Concurrent;
using System.Data.Common;
using System.Text.Json;
using Feeds.Core.Storage;
using Feeds.Service.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Feeds.Tests.Support;

/// <summary>The store a test runs the service on.</summary>
public enum StoreKind
{
    Sqlite,
    Postgres,
}

/// <summary>
/// A store as a type, for tests that share one service per class: xUnit makes a class fixture by its type, so a fixture
/// generic in its store is one fixture per store (and a subclass does not start its base class's fixture as well).
/// </summary>
public interface IStoreChoice
{
    static abstract StoreKind Kind { get; }
}

public sealed class OnSqlite : IStoreChoice
{
    public static StoreKind Kind => StoreKind.Sqlite;
}

public sealed class OnPostgres : IStoreChoice
{
    public static StoreKind Kind => StoreKind.Postgres;
}

/// <summary>
/// The real service (Kestrel on 127.0.0.1, Quartz, a SQLite file or a PostgreSQL database) started for one test, with its
/// own config in a temp folder and its own database. Stop and start it again to test a restart on the same data.
/// </summary>
public sealed class FeedsTestHost : IAsyncDisposable
{
    private WebApplication? _app;

    private readonly ConcurrentQueue<string> _logs = new();
    private readonly Action<IServiceCollection>? _replaceServices;

    private FeedsTestHost(TempFolder folder, string configPath, string? databasePath, Action<IServiceCollection>? replaceServices) =>
        (Folder, ConfigPath, DatabasePath, _replaceServices) = (folder, configPath, databasePath ?? folder.File("feeds.db"), replaceServices);

    /// <summary>The PostgreSQL database of the test run's server this host stores in; null on SQLite (<see cref="DatabasePath"/>).</summary>
    public string? PostgresDatabase { get; private set; }

    private PostgresServer? _postgres;

    public TempFolder Folder { get; }

    public string ConfigPath { get; }

    /// <summary>The database, in <see cref="Folder"/> unless the test put it elsewhere (on a small disk, say).</summary>
    public string DatabasePath { get; }

    /// <summary>Every warning and error the service logged, as "Category: message".</summary>
    public IReadOnlyList<string> Logs => _logs.ToList();

    public HttpClient Client { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    /// <summary>
    /// The fetching settings of every test config: the loopback source server lives on 127.0.0.1, which the
    /// private-network guard refuses unless allowed; a short host spacing keeps start-up polls quick.
    /// </summary>
    public static readonly object LoopbackFetching = new { allowPrivateNetworks = new[] { "127.0.0.1/32" }, minHostSpacing = "50ms" };

    /// <summary>Writes a config with the sections and sources given and starts the service on it.</summary>
    /// <param name="replaceServices">Puts test doubles in the container, e.g. a store contract that counts its reads (<see cref="ServiceDecoration"/>).</param>
    /// <param name="store">The store: a SQLite file, or a fresh database on the test run's PostgreSQL server.</param>
    /// <param name="operators">The config's <c>operators</c> object; none (loopback only) by default.</param>
    public static async Task<FeedsTestHost> StartAsync(object sections, object sources, object? publishing = null, object? fetching = null,
        string? databasePath = null, Action<IServiceCollection>? replaceServices = null, StoreKind store = StoreKind.Sqlite, object? operators = null,
        object? stories = null)
    {
        var folder = new TempFolder();
        var configPath = folder.File("feeds.json");
        var config = new Dictionary<string, object>
        {
            ["sections"] = sections,
            ["sources"] = sources,
            ["publishing"] = publishing ?? new { },
            ["fetching"] = fetching ?? LoopbackFetching,
        };
        if (operators is not null)
            config["operators"] = operators;
        if (stories is not null)
            config["stories"] = stories;
        await File.WriteAllTextAsync(configPath, JsonSerializer.Serialize(config));
        var host = new FeedsTestHost(folder, configPath, databasePath, replaceServices);
        if (store == StoreKind.Postgres)
        {
            host._postgres = await PostgresServer.GetAsync();
            host.PostgresDatabase = await host._postgres.CreateDatabaseAsync();
        }
        await host.StartAsync();
        return host;
    }

    /// <summary>The settings the service starts with: its config, and its store as the command line would name it.</summary>
    private FeedsSettings Settings() => _postgres is null
        ? new FeedsSettings(ConfigPath, DatabasePath, "http://127.0.0.1:0")
        : new FeedsSettings(ConfigPath, DatabasePath, "http://127.0.0.1:0")
        {
            StoreProvider = new("postgres", "--store"),
            ConnectionString = new(_postgres.ConnectionString(PostgresDatabase!), "--connection"),
        };

    public async Task StartAsync()
    {
        _app = await FeedsApp.BuildAsync(Settings(),
            builder =>
            {
                // Warnings and up, and what the config watcher says of every edit (applied edits are Information).
                builder.Logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Feeds.Service.Hosting.ConfigWatcher", LogLevel.Information)
                    .AddProvider(new CapturedLogs(_logs));
                _replaceServices?.Invoke(builder.Services);
            });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Client = new HttpClient { BaseAddress = new Uri(address + "/") };
    }

    public async Task StopAsync()
    {
        Client.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    /// <summary>
    /// A connection of its own straight to this host's database, past the service, for a test that reads or writes rows
    /// itself in SQL both stores accept. Not pooled: nothing is left connected when the test's database goes.
    /// </summary>
    public async Task<DbConnection> OpenDatabaseAsync()
    {
        DbConnection connection = _postgres is null
            ? new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString())
            : new NpgsqlConnection(_postgres.ConnectionString(PostgresDatabase!) + ";Pooling=false");
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Waits until every source has been polled at least <paramref name="times"/> times since the store was created (by last attempt).</summary>
    public async Task WaitForPollsAsync(int sourceCount, DateTimeOffset since, TimeSpan? timeout = null)
    {
        var store = Services.GetRequiredService<IStatusStore>();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            var states = await store.GetSourceStatesAsync(CancellationToken.None);
            if (states.Count(s => s.LastAttemptAt >= since) >= sourceCount)
                return;
            await Task.Delay(50);
        }
        throw new TimeoutException($"the {sourceCount} sources were not all polled within the timeout");
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Folder.Dispose();
        if (_postgres is not null)
            await _postgres.DropDatabaseAsync(PostgresDatabase!);
    }
}
