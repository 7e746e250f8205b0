using System.Diagnostics;
using Feeds.Core.Composition;
using Feeds.Core.Normalization;
using Feeds.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Feeds.Bench.Soak;

/// <summary>
/// What <c>synchronous=FULL</c> costs against <c>NORMAL</c>: POLLS polls saved through the real store, one transaction
/// each, for a poll that brings 20 new items and for one that brings none (a 304: only the source's state). The file is
/// made in FOLDER — measure on the disk the database will live on.
/// </summary>
internal static class SyncCost
{
    public static async Task<int> RunAsync(int polls, string folder)
    {
        Directory.CreateDirectory(folder);
        Console.WriteLine($"{polls} polls per case, database in {Path.GetFullPath(folder)}");
        Console.WriteLine($"{"synchronous",-12} {"20 new items",22} {"state only (304)",22}");
        foreach (var durability in new[] { CommitDurability.Normal, CommitDurability.Full })
        {
            var path = Path.Combine(folder, $"sync-cost-{durability}-{Guid.NewGuid():N}.db");
            try
            {
                await using var services = new ServiceCollection().AddSingleton(TimeProvider.System).AddFeedsStore(path, durability).BuildServiceProvider();
                await services.GetRequiredService<ISchemaStore>().MigrateAsync(CancellationToken.None);
                var store = services.GetRequiredService<IPollStore>();
                await TimeAsync(store, 50, itemsPerPoll: 20); // warm-up: JIT and the page cache
                var withItems = await TimeAsync(store, polls, itemsPerPoll: 20);
                var stateOnly = await TimeAsync(store, polls, itemsPerPoll: 0);
                Console.WriteLine($"{durability.ToString().ToUpperInvariant(),-12} {withItems,15:0.00} ms/poll {stateOnly,15:0.00} ms/poll");
            }
            finally
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                foreach (var file in Directory.GetFiles(folder, Path.GetFileName(path) + "*"))
                    File.Delete(file);
            }
        }
        return 0;
    }

    private static async Task<double> TimeAsync(IPollStore store, int polls, int itemsPerPoll)
    {
        var clock = Stopwatch.StartNew();
        for (var poll = 0; poll < polls; poll++)
        {
            var source = $"source-{poll % 50}";
            var items = Enumerable.Range(0, itemsPerPoll).Select(i => new NormalizedItem
            {
                Key = $"{poll}-{i}-{itemsPerPoll}",
                ContentHash = "h",
                Title = $"Item {i} of poll {poll}",
                Link = $"https://example.com/{source}/{poll}/{i}",
                // As normalization gives them, and as the store computed them itself when these figures were first taken.
                LinkKey = StoryKeys.LinkKey($"https://example.com/{source}/{poll}/{i}"),
                HeadlineKey = StoryKeys.HeadlineKey($"Item {i} of poll {poll}"),
                Content = new string('x', 1500),
                Published = DateTimeOffset.UtcNow,
            }).ToList();
            await store.SavePollAsync(new SourceState { SourceId = source, Url = $"https://example.com/{source}", LastAttemptAt = DateTimeOffset.UtcNow }, items, CancellationToken.None);
        }
        return clock.Elapsed.TotalMilliseconds / polls;
    }
}
