using System.Diagnostics;
using System.Net;
using Feeds.Core.Composition;
using Feeds.Core.Refreshing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Feeds.Bench.Fetch;

/// <summary>Polls every source twice through the real pipeline: a cold ingest, then a round of 304s.</summary>
internal static class FetchBenchmark
{
    // Every source lives on one loopback host here, so the per-host limits that keep us polite to a
    // publisher would serialize the whole run; they are lifted to the global cap. Nothing else changes.
    private static readonly FetchOptions Options = new()
    {
        AllowedPrivateNetworks = [IPNetwork.Parse("127.0.0.1/32")],
        MaxConcurrency = 8,
        PerHostConcurrency = 8,
        MinHostSpacing = TimeSpan.Zero,
    };

    public static async Task<Report> RunAsync(Uri server, IReadOnlyList<string> files) =>
        await WithFreshStoreAsync(placeStories: true, async (refresher, database) =>
        {
            var sources = SourcesOf(server, files);
            var cold = await RoundAsync(refresher, sources);
            var notModified = await RoundAsync(refresher, sources);
            var peak = Process.GetCurrentProcess().PeakWorkingSet64;
            return new Report(sources.Count, await CountItemsAsync(database), cold, notModified, peak);
        });

    /// <summary>
    /// A cold ingest into a fresh store, with story placement as shipped or switched off (<see cref="PlacesNothing"/>;
    /// each item's story terms are still computed while it is normalized), and the CPU this process spent on it.
    /// </summary>
    public static async Task<(Round Round, TimeSpan Cpu)> ColdIngestAsync(Uri server, IReadOnlyList<string> files, bool placeStories) =>
        await WithFreshStoreAsync(placeStories, async (refresher, _) =>
        {
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var round = await RoundAsync(refresher, SourcesOf(server, files));
            return (round, Process.GetCurrentProcess().TotalProcessorTime - cpuBefore);
        });

    private static List<Source> SourcesOf(Uri server, IReadOnlyList<string> files) =>
        files.Select((file, i) => new Source($"s{i:D4}", file, SourceLocation.ForUrl(new Uri(server, file)), ["bench"], TimeSpan.FromMinutes(30))).ToList();

    private static async Task<T> WithFreshStoreAsync<T>(bool placeStories, Func<SourceRefresher, string, Task<T>> measure)
    {
        var folder = Path.Combine(Path.GetTempPath(), "feeds-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            var database = Path.Combine(folder, "feeds.db");
            var services = new ServiceCollection()
                .AddSingleton(TimeProvider.System)
                .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
                .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
                .AddFeedsCore(database, Options);
            if (!placeStories)
                services.AddSingleton<DbStoryIndex, PlacesNothing>();
            await using var provider = services.BuildServiceProvider();
            await provider.GetRequiredService<ISchemaStore>().MigrateAsync(CancellationToken.None);
            return await measure(provider.GetRequiredService<SourceRefresher>(), database);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<long> CountItemsAsync(string database)
    {
        await using var connection = new SqliteConnection($"Data Source={database}");
        await connection.OpenAsync();
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM items";
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static async Task<Round> RoundAsync(SourceRefresher refresher, IReadOnlyList<Source> sources)
    {
        var outcomes = new System.Collections.Concurrent.ConcurrentBag<RefreshResult>();
        var started = Stopwatch.GetTimestamp();
        // More polls in flight than fetch slots, so parsing and storing overlap with fetching.
        await Parallel.ForEachAsync(sources, new ParallelOptions { MaxDegreeOfParallelism = Options.MaxConcurrency * 2 }, async (source, token) =>
            outcomes.Add(await refresher.RefreshAsync(source, PollReason.Manual, token)));
        var elapsed = Stopwatch.GetElapsedTime(started);
        return new Round(elapsed, outcomes.OfType<RefreshResult.Updated>().Sum(u => u.Added),
            outcomes.Count(o => o is RefreshResult.NotModified), outcomes.Count(o => o is RefreshResult.Failed));
    }
}

internal sealed record Round(TimeSpan Elapsed, int ItemsAdded, int NotModified, int Failed);

internal sealed record Report(int Sources, long ItemsStored, Round Cold, Round NotModified, long PeakWorkingSetBytes)
{
    private const double ColdTargetSeconds = 60;
    private const double NotModifiedTargetPerSecond = 500;
    private const long PeakTargetBytes = 300L * 1024 * 1024;

    private double NotModifiedPerSecond => Sources / NotModified.Elapsed.TotalSeconds;

    public bool MeetsTargets =>
        Cold.Failed == 0 && NotModified.NotModified == Sources && Cold.Elapsed.TotalSeconds < ColdTargetSeconds
        && NotModifiedPerSecond >= NotModifiedTargetPerSecond && PeakWorkingSetBytes < PeakTargetBytes;

    public override string ToString() => $"""
        sources                 {Sources}
        cold ingest             {Cold.Elapsed.TotalSeconds:0.0} s, {Cold.ItemsAdded} items added, {ItemsStored} stored, {Cold.Failed} failed   (target < {ColdTargetSeconds} s)
        304 round               {NotModified.Elapsed.TotalSeconds:0.00} s, {NotModifiedPerSecond:0} sources/s, {NotModified.NotModified} not modified   (target >= {NotModifiedTargetPerSecond}/s)
        peak working set        {PeakWorkingSetBytes / (1024 * 1024)} MB   (target < {PeakTargetBytes / (1024 * 1024)} MB)
        targets                 {(MeetsTargets ? "met" : "NOT met")}
        """;
}
