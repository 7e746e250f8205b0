using System.Globalization;
using System.Net;
using System.Text.Json;
using Feeds.Core.Composition;
using Feeds.Core.Refreshing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Feeds.Tests.Storage.Contracts;
using Feeds.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Feeds.Tests.Durability;

/// <summary>One writer, many readers: heavy ingest while many clients read, through the real Kestrel host.</summary>
[Collection(DurabilityCollection.Name)]
public sealed class ConcurrencyTests(ITestOutputHelper output)
{
    private const int ItemsPerVersion = 3;
    private const int Readers = 12;

    // Answers the readers of the heavy-ingest test have had so far, whatever their status.
    private int _answered;

    [Fact]
    public async Task HeavyIngestWhileManyClientsReadGivesNoErrorAndNoHalfWrittenPoll()
    {
        var started = DateTimeOffset.UtcNow;
        await using var server = await LoopbackSourceServer.StartAsync();
        var sources = new ChangingSources(server, count: 16, ItemsPerVersion, contentBytes: 100);
        await using var host = await FeedsTestHost.StartAsync(
            new[] { new { id = "all", title = "All", description = "Every source" } }, sources.ConfigEntries("all"),
            publishing: new { itemsPerFeed = 500 },
            fetching: new { allowPrivateNetworks = new[] { "127.0.0.1/32" }, minHostSpacing = "0s", perHostConcurrency = 8 });
        await host.WaitForPollsAsync(sources.Count, started);
        var refresher = host.Services.GetRequiredService<SourceRefresher>();
        var config = host.Services.GetRequiredService<FeedsConfigMonitor>().Current;

        var rounds = LongTests.Pick(quick: 5, thorough: 100);
        using var ingesting = new CancellationTokenSource();
        var readers = Enumerable.Range(0, Readers).Select(reader => ReadAsync(host.Client, reader, ingesting.Token)).ToList();
        // The rounds go on, up to ten times as many, until the readers have read throughout: on a quiet machine the
        // quick rounds can be saved before a dozen readers got two answers.
        var round = 0;
        for (; round < rounds || (Volatile.Read(ref _answered) < 2 * Readers && round < 10 * rounds); round++)
        {
            sources.AdvanceAll();
            // Every source at once: many polls queue for the single writer while the readers read.
            var results = await Task.WhenAll(config.Sources.Select(source => refresher.RefreshAsync(source, PollReason.Manual, CancellationToken.None)));
            Assert.All(results, result => Assert.Equal(ItemsPerVersion, Assert.IsType<RefreshResult.Updated>(result).Added));
        }
        await ingesting.CancelAsync();
        var reads = await Task.WhenAll(readers);

        var problems = reads.SelectMany(r => r.Problems).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(10)));
        Assert.DoesNotContain(host.Logs, line => line.Contains("locked", StringComparison.OrdinalIgnoreCase) || line.Contains("busy", StringComparison.OrdinalIgnoreCase));
        var stored = await host.Services.GetRequiredService<IPublishingStore>().GetItemsAsync(config.Sources.Select(s => s.Id).ToList(), ItemCursor.Newest, 100_000, CancellationToken.None);
        Assert.Equal(sources.PublishedItemCount, stored.Count);
        // Each section change makes the next requests render the page anew (see bench/README.md, Soak), so a reader may wait
        // a while for one answer; together they must have read throughout.
        Assert.True(reads.Sum(r => r.Requests) >= 2 * Readers, "the readers hardly read while the polls were saved");
        output.WriteLine($"{round} rounds of {sources.Count} polls ({stored.Count} items) while {Readers} clients made {reads.Sum(r => r.Requests)} requests, 0 errors");
    }

    /// <summary>
    /// Two writers on one file — <c>feeds refresh</c> run beside a serving <c>feeds serve</c> is the real case — plus
    /// readers: each writer queues on SQLite's lock within the busy timeout, and nobody sees "database is locked".
    /// </summary>
    [Fact]
    public async Task TwoStoresWritingOneFileWaitTheirTurn()
    {
        using var folder = new TempFolder();
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        using var serving = Open(folder.File("feeds.db"), clock);
        using var refreshing = Open(folder.File("feeds.db"), clock);
        await serving.Schema.MigrateAsync(CancellationToken.None);
        await refreshing.Schema.MigrateAsync(CancellationToken.None);

        var wrote = 0;
        async Task WriteAsync(StoreUnderTest store, string sourceId)
        {
            for (var poll = 0; poll < 40; poll++)
            {
                var items = Enumerable.Range(0, 10).Select(i => new Core.Normalization.NormalizedItem
                {
                    Key = $"{poll}-{i}", ContentHash = "h", Title = $"{sourceId} {poll}-{i}", Link = $"https://example.com/{sourceId}/{poll}/{i}",
                    Content = new string('x', 2000),
                }).ToList();
                await store.Polls.SavePollAsync(new SourceState { SourceId = sourceId, Url = "https://example.com/" + sourceId }, items, CancellationToken.None);
                Interlocked.Increment(ref wrote);
            }
        }

        var writing = true;
        var reading = Enumerable.Range(0, 4).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToList();
        async Task<(int Reads, int AmidWrites)> ReadAsync(StoreUnderTest store, TaskCompletionSource started)
        {
            var (reads, amidWrites) = (0, 0);
            do
            {
                // A read that began after a poll was saved and before the last one was: it sees polls while more are written.
                var amid = Volatile.Read(ref wrote) > 0 && Volatile.Read(ref writing);
                var items = await store.Publishing.GetItemsAsync(["a", "b", "c", "d"], ItemCursor.Newest, 100_000, CancellationToken.None);
                // Polls are saved whole: each source shows a multiple of its 10 items per poll.
                Assert.All(items.GroupBy(i => i.SourceId), group => Assert.Equal(0, group.Count() % 10));
                reads++;
                if (amid && items.Count > 0)
                    amidWrites++;
                started.TrySetResult();
            }
            while (Volatile.Read(ref writing));
            return (reads, amidWrites);
        }

        var readers = reading.Select(started => Task.Run(() => ReadAsync(serving, started))).ToList();
        await Task.WhenAll(reading.Select(started => started.Task));
        await Task.WhenAll(new[] { (serving, "a"), (refreshing, "b"), (serving, "c"), (refreshing, "d") }.Select(w => Task.Run(() => WriteAsync(w.Item1, w.Item2))));
        Volatile.Write(ref writing, false);
        var reads = await Task.WhenAll(readers);

        Assert.Equal(4 * 40 * 10, (await serving.Publishing.GetItemsAsync(["a", "b", "c", "d"], ItemCursor.Newest, 100_000, CancellationToken.None)).Count);
        // Without reads amid the writes the check of whole polls above proves nothing.
        Assert.True(reads.Sum(r => r.AmidWrites) > 0, $"none of the {reads.Sum(r => r.Reads)} reads saw polls while more were being written");
    }

    /// <summary>A store of its own over the file, as each process (<c>feeds serve</c>, <c>feeds refresh</c>) opens one.</summary>
    private static StoreUnderTest Open(string databasePath, TimeProvider clock) =>
        new(new ServiceCollection().AddSingleton(clock).AddFeedsStore(databasePath).BuildServiceProvider());

    private sealed record ReadSummary(int Requests, IReadOnlyList<string> Problems);

    /// <summary>
    /// Reads the section in every format until told to stop. The JSON Feed is checked item by item: a poll adds three items
    /// at once, so each source's newest item must be the last of a poll, with every item below it there too.
    /// </summary>
    private async Task<ReadSummary> ReadAsync(HttpClient client, int reader, CancellationToken stop)
    {
        var problems = new List<string>();
        var requests = 0;
        string[] paths = ["sections/all/json", "sections/all/rss", "sections/all/atom"];
        while (!stop.IsCancellationRequested)
        {
            var path = paths[(reader + requests) % paths.Length];
            requests++;
            try
            {
                using var response = await client.GetAsync(path, CancellationToken.None);
                var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                if (response.StatusCode != HttpStatusCode.OK)
                    problems.Add($"{path}: {(int)response.StatusCode} {body}");
                else if (path.EndsWith("json", StringComparison.Ordinal))
                    problems.AddRange(HalfWrittenPolls(body));
                Interlocked.Increment(ref _answered);
            }
            catch (Exception e) when (e is HttpRequestException or JsonException)
            {
                problems.Add($"{path}: {e.Message}");
            }
        }
        return new ReadSummary(requests, problems);
    }

    private static IEnumerable<string> HalfWrittenPolls(string json)
    {
        using var feed = JsonDocument.Parse(json);
        // Item links are http://example.com/{source}/{number}.
        var numbers = feed.RootElement.GetProperty("items").EnumerateArray()
            .Select(item => new Uri(item.GetProperty("url").GetString()!).Segments)
            .GroupBy(segments => segments[1].TrimEnd('/'), segments => int.Parse(segments[2], CultureInfo.InvariantCulture));
        foreach (var source in numbers)
        {
            var seen = source.OrderDescending().ToList();
            var expected = Enumerable.Range(0, seen.Count).Select(i => seen[0] - i);
            if (seen[0] % ItemsPerVersion != 0 || !seen.SequenceEqual(expected))
                yield return $"{source.Key}: a reader saw part of a poll: items {string.Join(",", seen.Take(6))}…";
        }
    }
}
