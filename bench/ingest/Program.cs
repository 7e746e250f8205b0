using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Dapper;
using Feeds.Core.Composition;
using Feeds.Core.Normalization;
using Feeds.Core.Parsing;
using Feeds.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

// Where the CPU of a cold ingest goes (issue 17, item 5): every feed of a corpus folder through the service's own stages,
// one stage at a time over the whole corpus, on one thread, so each stage's CPU time is its own: parse and identify,
// normalize (and, measured apart, the sanitizing inside it), and save into a fresh SQLite file with story placement off
// (measured by bench/stories) and with the full-text triggers on and then dropped. Each pass runs twice: the first pays
// the JIT, the second is warm. CPU is the thread's own (CLOCK_THREAD_CPUTIME_ID) beside the process's, whose difference
// is the runtime's other threads (background GC, tiered JIT); on a shared machine CPU time says more than wall time.
//
//   dotnet run -c Release --project bench/ingest -- CORPUS_FOLDER [PASSES=2]

if (args.Length < 1 || !Directory.Exists(args[0]))
{
    Console.Error.WriteLine("usage: Feeds.Bench.Ingest CORPUS_FOLDER [PASSES]  (a folder of feed documents, e.g. gen_corpus.py's many/)");
    return 2;
}
var passes = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2;
var feeds = Directory.GetFiles(args[0], "*.xml").Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToArray();
var source = new Uri("https://feeds.example.net/feed.xml");
var normalizer = new FeedNormalizer(new HtmlCleaner(), TimeProvider.System);
var cleaner = new HtmlCleaner();

Console.WriteLine($"{feeds.Length} feeds, {feeds.Sum(f => (long)f.Length) / 1e6:0.0} MB; load average {File.ReadAllText("/proc/loadavg").Trim()}; " +
    $"{Environment.ProcessorCount} cores; GC {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}, " +
    $"TieredPGO={Environment.GetEnvironmentVariable("DOTNET_TieredPGO") ?? "default"}, GCgen0size={Environment.GetEnvironmentVariable("DOTNET_GCgen0size") ?? "default"}");
Console.WriteLine($"{"pass",-4} {"stage",-28} {"thread CPU",11} {"process CPU",12} {"wall",9} {"allocated",10} {"GC pause",9} {"gen0/1/2",12}");
for (var pass = 1; pass <= passes; pass++)
{
    var parsed = Stage(pass, "parse + identify", () => feeds.Select(bytes => normalizer.ParseAndIdentify(bytes, null, source)).ToList());
    var items = parsed.Sum(p => p.Entries.Count);
    Stage(pass, "sanitize only (in normalize)", () => parsed.SelectMany(p => p.Entries)
        .SelectMany(e => new[] { e.Entry.Content, e.Entry.Summary }).OfType<FeedText>().Where(t => t.Kind != TextKind.Text)
        .Sum(t => cleaner.Clean(t.Value, source).Html.Length));
    var normalized = Stage(pass, "normalize", () => parsed
        .Select(p => p.Entries.Select(entry => normalizer.NormalizeEntry(entry, p.Feed.Channel)).ToList()).ToList());
    await SaveAsync(pass, "save, FTS5 on", normalized, searchIndex: true);
    await SaveAsync(pass, "save, FTS5 triggers dropped", normalized, searchIndex: false);
    Console.WriteLine($"{pass,-4} {items} items");
}
return 0;

async Task SaveAsync(int pass, string name, List<List<NormalizedItem>> polls, bool searchIndex)
{
    var folder = Path.Combine(Path.GetTempPath(), "feeds-bench-ingest-" + Guid.NewGuid().ToString("N")[..8]);
    Directory.CreateDirectory(folder);
    try
    {
        var services = new ServiceCollection().AddSingleton(TimeProvider.System).AddFeedsStore(Path.Combine(folder, "feeds.db"))
            .AddSingleton<DbStoryIndex, PlacesNothing>();
        await using var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<ISchemaStore>().MigrateAsync(CancellationToken.None);
        if (!searchIndex)
        {
            await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(folder, "feeds.db")}");
            await connection.ExecuteAsync("DROP TRIGGER items_search_insert; DROP TRIGGER items_search_update; DROP TRIGGER items_search_delete;");
        }
        var store = provider.GetRequiredService<IPollStore>();
        Stage(pass, name, () =>
        {
            for (var i = 0; i < polls.Count; i++)
                store.SavePollAsync(new SourceState { SourceId = $"source-{i}", Url = $"https://s{i}.example.com/rss" }, polls[i], CancellationToken.None)
                    .GetAwaiter().GetResult();
            return 0;
        });
    }
    finally
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }
}

static T Stage<T>(int pass, string name, Func<T> work)
{
    var process = Process.GetCurrentProcess();
    var (thread0, process0, allocated0, pause0) = (ThreadCpu(), process.TotalProcessorTime, GC.GetTotalAllocatedBytes(), GC.GetTotalPauseDuration());
    var collections0 = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
    var wall = Stopwatch.StartNew();
    var result = work();
    wall.Stop();
    process.Refresh();
    Console.WriteLine($"{pass,-4} {name,-28} {(ThreadCpu() - thread0).TotalSeconds,9:0.00} s {(process.TotalProcessorTime - process0).TotalSeconds,10:0.00} s " +
        $"{wall.Elapsed.TotalSeconds,7:0.00} s {(GC.GetTotalAllocatedBytes() - allocated0) / 1e6,7:0} MB {(GC.GetTotalPauseDuration() - pause0).TotalSeconds,7:0.00} s " +
        $"{GC.CollectionCount(0) - collections0.Item1,4}/{GC.CollectionCount(1) - collections0.Item2}/{GC.CollectionCount(2) - collections0.Item3}");
    return result;
}

/// <summary>CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID, Linux).</summary>
static TimeSpan ThreadCpu()
{
    NativeClock.clock_gettime(3, out var now);
    return TimeSpan.FromTicks(now.Seconds * TimeSpan.TicksPerSecond + now.Nanoseconds / 100);
}

internal static partial class NativeClock
{
    [StructLayout(LayoutKind.Sequential)]
    internal struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    internal static partial int clock_gettime(int clock, out Timespec time);
}
