using System.Diagnostics;
using System.Globalization;
using Feeds.Core.Composition;
using Feeds.Core.Normalization;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

// The store's saves with story clustering on and off (issue 16): the same polls saved into a fresh SQLite file each time,
// through the real store. "on" is the service as shipped: each item's story terms computed (its share of normalization),
// then the poll saved and its new items placed in their stories. "off" saves the same polls with nothing placed: the
// store as it was before stories. Prints items/s of each and the store's slowdown. This is where placement's cost is
// seen and cut, not the issue's target: with no fetch, parse or sanitizing around the save, placement is a far larger
// share here than in a poll. Issue 16's target ("ingest slows by < 25%") is the whole ingest's, held by
// `bench/fetch CORPUS clustering ROUNDS`, which exits 1 when it is missed. It prints the process's CPU time per 1,000 items too: on a machine shared with other work, wall time swings with the
// others' load (2-3x between rounds), the CPU a round spends much less. On PostgreSQL it prints the server's CPU per
// 1,000 items beside it, read from /proc (the server must run on this machine, as on loopback it does).
//
//   dotnet run -c Release --project bench/stories -- [SOURCES] [ITEMS_PER_SOURCE] [ROUNDS]
//
// With FEEDS_BENCH_POSTGRES set to a connection string of a PostgreSQL server on loopback where it may create databases,
// each ingest goes into a fresh database of that server instead of a SQLite file (dropped after).

var sources = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 400;
var itemsPerSource = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 50;
var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;

var postgres = Environment.GetEnvironmentVariable("FEEDS_BENCH_POSTGRES") is { Length: > 0 } server ? new NpgsqlConnectionStringBuilder(server) : null;

var polls = NewsWorkload.Polls(sources, itemsPerSource);
var total = polls.Sum(p => p.Items.Count);
Console.WriteLine($"{sources} sources × {itemsPerSource} items = {total} items, {rounds} rounds of each, best round kept, on {(postgres is null ? "SQLite" : "PostgreSQL")}");

var best = new Dictionary<bool, double> { [false] = 0, [true] = 0 };
var leastCpu = new Dictionary<bool, double> { [false] = double.MaxValue, [true] = double.MaxValue };
var leastServerCpu = new Dictionary<bool, double> { [false] = double.MaxValue, [true] = double.MaxValue };
var postmaster = postgres is null ? 0 : await PostmasterAsync(postgres);
var stories = 0;
for (var round = 0; round < rounds; round++)
{
    foreach (var clustering in new[] { false, true })
    {
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var serverCpuBefore = ServerCpu(postmaster);
        var (itemsPerSecond, storyCount) = await IngestAsync(polls, clustering, postgres);
        var cpuPerThousand = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds * 1000 / total;
        var serverCpuPerThousand = (ServerCpu(postmaster) - serverCpuBefore).TotalMilliseconds * 1000 / total;
        best[clustering] = Math.Max(best[clustering], itemsPerSecond);
        leastCpu[clustering] = Math.Min(leastCpu[clustering], cpuPerThousand);
        leastServerCpu[clustering] = Math.Min(leastServerCpu[clustering], serverCpuPerThousand);
        if (clustering)
            stories = storyCount;
        Console.WriteLine($"  round {round + 1}, clustering {(clustering ? "on " : "off")}: {itemsPerSecond,8:0} items/s, {cpuPerThousand,6:0} ms CPU per 1,000 items" +
            (postgres is null ? "" : $", server {serverCpuPerThousand,6:0} ms"));
    }
}
var slowdown = 1 - best[true] / best[false];
Console.WriteLine($"clustering off  {best[false],8:0} items/s");
Console.WriteLine($"clustering on   {best[true],8:0} items/s   ({stories} stories of {total} items)");
Console.WriteLine($"slowdown        {slowdown,8:P1}   (the store alone; the ingest's, against issue 16's < 25 %: bench/fetch CORPUS clustering ROUNDS)");
Console.WriteLine($"CPU per 1,000 items: off {leastCpu[false]:0} ms, on {leastCpu[true]:0} ms ({leastCpu[true] / leastCpu[false] - 1:+0.0%;-0.0%} with clustering)");
if (postgres is not null)
    Console.WriteLine($"server CPU per 1,000 items: off {leastServerCpu[false]:0} ms, on {leastServerCpu[true]:0} ms ({leastServerCpu[true] / leastServerCpu[false] - 1:+0.0%;-0.0%} with clustering)");
return 0;

static async Task<(double ItemsPerSecond, int Stories)> IngestAsync(IReadOnlyList<NewsWorkload.Poll> polls, bool clustering, NpgsqlConnectionStringBuilder? postgres)
{
    var name = "feeds-bench-stories-" + Guid.NewGuid().ToString("N")[..8];
    var folder = Path.Combine(Path.GetTempPath(), name);
    Directory.CreateDirectory(folder);
    var database = name.Replace('-', '_');
    if (postgres is not null)
        await AdminAsync(postgres, $"CREATE DATABASE {database}");
    try
    {
        var storage = postgres is null ? new StorageSettings() : StorageSettings.Postgres(new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Database = database }.ConnectionString);
        var services = new ServiceCollection().AddSingleton(TimeProvider.System).AddFeedsStore(storage, Path.Combine(folder, "feeds.db"));
        if (!clustering)
            services.AddSingleton<DbStoryIndex, PlacesNothing>();
        await using var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<ISchemaStore>().MigrateAsync(CancellationToken.None);
        var store = provider.GetRequiredService<IPollStore>();
        var clock = Stopwatch.StartNew();
        foreach (var poll in polls)
        {
            var items = clustering
                ? poll.Items.Select(i => i with { StoryTerms = StoryTerms.Of(i.Title, i.SummaryText) }).ToList()
                : poll.Items;
            await store.SavePollAsync(new SourceState { SourceId = poll.SourceId, Url = $"https://{poll.SourceId}.example.com/rss" }, items, CancellationToken.None);
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var storyIds = await provider.GetRequiredService<IPublishingStore>().GetLatestStoriesAsync(1, int.MaxValue, CancellationToken.None);
        return (polls.Sum(p => p.Items.Count) / seconds, storyIds.Count);
    }
    finally
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
        if (postgres is not null)
            await AdminAsync(postgres, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
    }
}

// On the server's maintenance database, never pooled: a pooled session would keep the dropped database in use.
static async Task AdminAsync(NpgsqlConnectionStringBuilder server, string sql)
{
    await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(sql, connection);
    await command.ExecuteNonQueryAsync();
}

// The server's main process: the parent of a session's backend.
static async Task<int> PostmasterAsync(NpgsqlConnectionStringBuilder server)
{
    await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
    var backend = (int)(await command.ExecuteScalarAsync())!;
    return int.Parse(Stat(backend)[1], CultureInfo.InvariantCulture);
}

// The CPU the server has spent: its main process's own and its exited children's (a backend's when its session ends),
// and that of its children still running (the WAL writer, the checkpointer, open sessions). Zero without a server.
static TimeSpan ServerCpu(int postmaster)
{
    if (postmaster == 0)
        return TimeSpan.Zero;
    var main = Stat(postmaster);
    // utime, stime, cutime, cstime.
    var ticks = Enumerable.Range(11, 4).Sum(i => long.Parse(main[i], CultureInfo.InvariantCulture));
    foreach (var folder in Directory.EnumerateDirectories("/proc"))
    {
        if (!int.TryParse(Path.GetFileName(folder), out var pid) || pid == postmaster)
            continue;
        try
        {
            var child = Stat(pid);
            if (child[1] == main[0])
                ticks += long.Parse(child[11], CultureInfo.InvariantCulture) + long.Parse(child[12], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            // The process ended between the listing and the read: its CPU is in its parent's by now.
        }
    }
    // Linux counts in clock ticks of 1/100 s (USER_HZ).
    return TimeSpan.FromMilliseconds(ticks * 10);
}

// The fields of /proc/PID/stat, the command's name (which may hold spaces) and the state left out: [0] the pid, [1] the
// parent's, then each at its number in proc(5) less three (utime, field 14, at [11]).
static string[] Stat(int pid)
{
    var text = File.ReadAllText($"/proc/{pid}/stat");
    return [pid.ToString(CultureInfo.InvariantCulture), .. text[(text.LastIndexOf(')') + 2)..].Split(' ')[1..]];
}
