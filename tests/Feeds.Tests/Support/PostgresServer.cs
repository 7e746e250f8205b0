using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Feeds.Core.Storage.Postgres;
using Npgsql;

namespace Feeds.Tests.Support;

/// <summary>
/// A throwaway PostgreSQL server for the whole test run: <c>initdb</c> and <c>pg_ctl</c> in a temp folder, listening on a
/// free port on 127.0.0.1 only, trust authentication, no systemd. Started by the first test that asks, stopped (and its
/// folder deleted) within a second of the test process ending. Each test takes a database of its own (<see cref="CreateDatabaseAsync"/>).
/// </summary>
/// <remarks>
/// The programs are looked for on PATH and in /usr/lib/postgresql/*/bin. Without them a test that needs the server fails,
/// saying to install postgresql: it is never skipped. As root (as in CI) the server runs as the unprivileged user
/// <c>postgres</c> (which the Debian package creates), since PostgreSQL refuses to run as root.
/// </remarks>
public sealed class PostgresServer
{
    private const string ServerUser = "postgres";

    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);
    private static int _databases;

    private readonly bool _asServerUser;

    private PostgresServer(bool asServerUser, int port) => (_asServerUser, Port) = (asServerUser, port);

    public int Port { get; }

    /// <summary>The server of this test run, started on first use.</summary>
    public static Task<PostgresServer> GetAsync() => Shared.Value;

    /// <summary>A connection string to <paramref name="database"/> as the server's superuser.</summary>
    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = ServerUser, Database = database, IncludeErrorDetail = true }.ToString();

    /// <summary>A fresh, empty database of its own; its name.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"feeds_test_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        await AdminAsync($"CREATE DATABASE {name}");
        return name;
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>, closing what is still connected to it.</summary>
    public Task DropDatabaseAsync(string name) => AdminAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");

    /// <summary>Runs a statement as the superuser on the maintenance database (never pooled: it must not keep a session on a database being dropped).</summary>
    public async Task AdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<PostgresServer> StartAsync()
    {
        var initdb = PostgresTools.Find("initdb");
        var pgCtl = PostgresTools.Find("pg_ctl");
        if (initdb is null || pgCtl is null)
            throw new InvalidOperationException(
                $"PostgreSQL's server programs (initdb, pg_ctl) are not on PATH or in {PostgresTools.DebianFolders}: install postgresql "
                + "(apt-get install -y postgresql; tests/run-all.sh does it when run as root) to run the PostgreSQL tests");
        var asServerUser = Environment.UserName == "root";
        var folder = Path.Combine(Path.GetTempPath(), "feeds-postgres-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        await StopWhenThisProcessEndsAsync(folder, pgCtl, asServerUser);
        if (asServerUser)
            await RunAsync("chown", [ServerUser, folder], $"make {folder} the user {ServerUser}'s (PostgreSQL refuses to run as root; is there a user {ServerUser}?)");
        var data = Path.Combine(folder, "data");
        var port = FreeLoopbackPort();
        var server = new PostgresServer(asServerUser, port);
        await server.RunAsServerAsync(initdb, ["-D", data, "-U", ServerUser, "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"], "initdb");
        // Loopback only, its socket in its own folder; durability is not needed by a server that lives for one test run.
        var options = $"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300";
        await server.RunAsServerAsync(pgCtl, ["start", "-D", data, "-w", "-t", "60", "-l", Path.Combine(folder, "server.log"), "-o", options], "pg_ctl start");
        return server;
    }

    /// <summary>
    /// Starts a watcher, outside this process's tree, that stops the server and deletes its folder once this process has
    /// ended, however it ends: a test host that is killed, or ends before an exit handler finishes, leaves nothing running.
    /// </summary>
    private static async Task StopWhenThisProcessEndsAsync(string folder, string pgCtl, bool asServerUser)
    {
        const string watcher = """
            while kill -0 "$FEEDS_TEST_PID" 2>/dev/null; do sleep 1; done
            if [ -n "$FEEDS_TEST_USER" ]; then runuser -u "$FEEDS_TEST_USER" -- "$FEEDS_TEST_PG_CTL" stop -D "$FEEDS_TEST_FOLDER/data" -m immediate -w
            else "$FEEDS_TEST_PG_CTL" stop -D "$FEEDS_TEST_FOLDER/data" -m immediate -w; fi
            rm -rf "$FEEDS_TEST_FOLDER"
            """;
        // The outer shell starts the watcher in the background and ends: the watcher is no child of this process.
        var start = new ProcessStartInfo("sh", ["-c", "nohup sh -c \"$FEEDS_TEST_WATCHER\" </dev/null >/dev/null 2>&1 &"]) { UseShellExecute = false };
        start.Environment["FEEDS_TEST_WATCHER"] = watcher;
        start.Environment["FEEDS_TEST_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["FEEDS_TEST_USER"] = asServerUser ? ServerUser : "";
        start.Environment["FEEDS_TEST_PG_CTL"] = pgCtl;
        start.Environment["FEEDS_TEST_FOLDER"] = folder;
        using var process = Process.Start(start)!;
        await process.WaitForExitAsync();
    }

    private Task RunAsServerAsync(string program, string[] arguments, string what) =>
        _asServerUser
            ? RunAsync("runuser", ["-u", ServerUser, "--", program, .. arguments], what)
            : RunAsync(program, arguments, what);

    private static async Task RunAsync(string program, string[] arguments, string what)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Path.GetTempPath() };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{what} failed (exit code {process.ExitCode}): {await errors}{await output}");
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
