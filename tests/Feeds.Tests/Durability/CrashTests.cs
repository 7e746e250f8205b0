using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Feeds.Tests.Support;
using Xunit.Abstractions;

namespace Feeds.Tests.Durability;

/// <summary>
/// The real service process, killed with SIGKILL while it ingests sources whose items are all known and keep changing,
/// restarted each time on the same database. Every other kill is aimed at a poll being saved (the process is frozen
/// again and again until it is caught inside a SQLite write transaction, see <see cref="SqliteWriteLock"/>), the others
/// land at a random moment from start-up on; at least a quarter must land mid-write, or the test has not tested what it
/// claims. After every kill the file must pass <c>PRAGMA integrity_check</c>, still hold every item it held before and
/// every item it served, hold each item once, and hold only validators whose items it holds. 8 kills by default; 200
/// with <c>FEEDS_LONG_TESTS=1</c>, or any number with <c>FEEDS_CRASH_KILLS=N</c>. SQLite only: what is killed here is
/// the writer of a database file, inside its write transaction; a PostgreSQL store's writes are the server's, which
/// outlives the service process, so its durability is the server's own.
/// </summary>
[Collection(DurabilityCollection.Name)]
public sealed class CrashTests(ITestOutputHelper output)
{
    private const int SourceCount = 16;

    private const string MidSave = "while a poll was being saved";

    [Fact]
    public async Task SigkillAtAnyMomentOfIngestLosesNothingAndDuplicatesNothing()
    {
        var kills = LongTests.Pick(quick: 8, thorough: 200, overrideVariable: "FEEDS_CRASH_KILLS");
        var seed = Environment.TickCount;
        var random = new Random(seed);
        output.WriteLine($"seed {seed}, {kills} kills");
        await using var server = await LoopbackSourceServer.StartAsync();
        var sources = new ChangingSources(server, SourceCount, itemsPerVersion: 3, contentBytes: 600);
        using var folder = new TempFolder();
        var (configPath, databasePath) = (folder.File("feeds.json"), folder.File("feeds.db"));
        await File.WriteAllTextAsync(configPath, JsonSerializer.Serialize(new
        {
            sections = new[] { new { id = "all", title = "All", description = "Every source" } },
            sources = sources.ConfigEntries("all"),
            publishing = new { itemsPerFeed = 500 },
            fetching = new { allowPrivateNetworks = new[] { "127.0.0.1/32" }, minHostSpacing = "0s", perHostConcurrency = 4 },
        }));

        using var publishing = new CancellationTokenSource();
        var publisher = PublishAsync(sources, new Random(seed + 1), publishing.Token);
        var kept = new HashSet<string>();
        var moments = new Dictionary<string, int>();
        for (var kill = 1; kill <= kills; kill++)
        {
            var served = new ConcurrentBag<string>();
            var lifeStarted = DateTimeOffset.UtcNow;
            bool killedWriting;
            await using (var service = await FeedsServiceProcess.StartAsync(configPath, databasePath))
            {
                using var reading = new CancellationTokenSource();
                var reader = ReadServedLinksAsync(service.Client, served, reading.Token);
                if (kill % 2 == 1)
                {
                    killedWriting = await KillWhileWritingAsync(service, giveUpAfter: TimeSpan.FromSeconds(10));
                }
                else
                {
                    // Mostly during the start-up polls (the first is saved a second or so after the first answer of a
                    // source), now and then anywhere from start-up on.
                    if (random.Next(5) > 0)
                        await WaitUntilAsync(() => Task.FromResult(AnsweredSince(server, sources, lifeStarted) > 0), TimeSpan.FromSeconds(30),
                            "no source was asked for its feed within 30 s of start-up", every: TimeSpan.FromMilliseconds(5));
                    killedWriting = await KillAfterAsync(service, TimeSpan.FromMilliseconds(random.Next(0, 2000)));
                }
                await reading.CancelAsync();
                await reader.WaitAsync(TimeSpan.FromSeconds(10));
            }

            var audit = await DatabaseAudit.ReadAsync(databasePath);
            // Polls saved in this life, counted in the database: a 304 poll saves its state too, though it logs no "Polled" line.
            var saved = audit.Sources.Count(s => s.LastAttemptAt >= lifeStarted.ToUnixTimeMilliseconds());
            // After start-up the service writes nothing but polls (retention first runs minutes later), and a poll is saved
            // only after its source answered; a write with no answer yet would be something else, and is not counted.
            var moment = killedWriting && AnsweredSince(server, sources, lifeStarted) > 0 ? MidSave
                : killedWriting ? "while something other than a poll was being written"
                : saved == 0 ? "before any poll was saved"
                : saved < SourceCount ? "between saves, during the start-up polls"
                : "after every start-up poll was saved";
            moments[moment] = moments.GetValueOrDefault(moment) + 1;
            var stored = AssertConsistent(audit, sources, served);
            Assert.True(kept.IsSubsetOf(stored), $"kill {kill} ({moment}): {kept.Except(stored).Count()} items stored before the kill are gone");
            kept = stored;
        }
        var tally = string.Join(", ", moments.Select(m => $"{m.Value} killed {m.Key}"));
        var midSave = moments.GetValueOrDefault(MidSave);
        Assert.True(midSave * 4 >= kills, $"only {midSave} of {kills} kills landed {MidSave} (at least a quarter must): {tally}");
        output.WriteLine(tally);

        // Publishing stops; one more life, ended by SIGTERM, must bring every published item in exactly once.
        await publishing.CancelAsync();
        await publisher;
        await using (var service = await FeedsServiceProcess.StartAsync(configPath, databasePath))
        {
            await WaitUntilAsync(async () => AllAtCurrentVersion(await DatabaseAudit.ReadAsync(databasePath), sources), TimeSpan.FromSeconds(60),
                "the service did not catch up with the sources within 60 s");
            service.Terminate();
            Assert.Equal(0, await service.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        }
        var final = await DatabaseAudit.ReadAsync(databasePath);
        var all = AssertConsistent(final, sources, served: []);
        var published = Enumerable.Range(0, SourceCount).SelectMany(i => sources.PublishedGuids(i).Select(guid => ChangingSources.IdOf(i) + " " + guid)).ToHashSet();
        Assert.Equal(published.Order(), all.Order());
        output.WriteLine($"{kills} kills; finally {all.Count} items stored of {published.Count} published, each once");
    }

    /// <summary>Integrity, uniqueness, served ⊆ stored ⊆ published, and validators only for items stored.</summary>
    private static HashSet<string> AssertConsistent(DatabaseAudit audit, ChangingSources sources, IEnumerable<string> served)
    {
        Assert.Equal("ok", audit.Integrity);
        var stored = audit.Items.Select(item => item.SourceId + " " + item.Guid).ToHashSet();
        Assert.Equal(audit.Items.Count, stored.Count); // no item twice under two keys
        Assert.Equal(audit.Items.Count, audit.Items.Select(item => item.Link).Distinct().Count());
        var links = audit.Items.Select(item => item.Link).ToHashSet();
        var lost = served.Distinct().Where(link => !links.Contains(link)).ToList();
        Assert.True(lost.Count == 0, $"served, then lost: {string.Join(", ", lost.Take(5))}");
        for (var index = 0; index < sources.Count; index++)
        {
            var id = ChangingSources.IdOf(index);
            var published = sources.PublishedGuids(index).ToHashSet();
            Assert.All(audit.Items.Where(item => item.SourceId == id), item => Assert.Contains(item.Guid!, published));
            if (audit.Sources.SingleOrDefault(s => s.Id == id) is not { ETag: { } etag } source)
                continue;
            // A validator says "you have everything up to this version": it must never be saved ahead of its items.
            var version = ChangingSources.VersionOfETag(etag) ?? throw new InvalidOperationException($"{id}: unknown ETag {etag}");
            Assert.Equal(ChangingSources.LastModifiedOf(version), source.LastModified);
            var missing = sources.GuidsUpTo(index, version).Where(guid => !stored.Contains(id + " " + guid)).ToList();
            Assert.True(missing.Count == 0, $"{id} has the validators of version {version} but not its items {string.Join(", ", missing.Take(5))}");
        }
        return stored;
    }

    /// <summary>
    /// Freezes the service a millisecond apart until it is caught inside a write transaction, and kills it there; after
    /// <paramref name="giveUpAfter"/> it is killed wherever it is. True when the kill landed mid-write.
    /// </summary>
    private static async Task<bool> KillWhileWritingAsync(FeedsServiceProcess service, TimeSpan giveUpAfter)
    {
        var aiming = Stopwatch.StartNew();
        while (true)
        {
            service.Freeze();
            var writing = SqliteWriteLock.IsHeldBy(service.Id);
            if (writing || aiming.Elapsed > giveUpAfter)
            {
                await service.KillAsync();
                return writing;
            }
            service.Thaw();
            await Task.Delay(1);
        }
    }

    /// <summary>How many requests the sources answered since <paramref name="since"/>.</summary>
    private static int AnsweredSince(LoopbackSourceServer server, ChangingSources sources, DateTimeOffset since) =>
        sources.Urls.Sum(url => server.RequestTimes(url.AbsolutePath).Count(at => at >= since));

    /// <summary>Kills the service <paramref name="after"/> from now, frozen first to see where: true when the kill landed mid-write.</summary>
    private static async Task<bool> KillAfterAsync(FeedsServiceProcess service, TimeSpan after)
    {
        await Task.Delay(after);
        service.Freeze();
        var writing = SqliteWriteLock.IsHeldBy(service.Id);
        await service.KillAsync();
        return writing;
    }

    private static bool AllAtCurrentVersion(DatabaseAudit audit, ChangingSources sources) =>
        Enumerable.Range(0, sources.Count).All(index =>
            audit.Sources.Any(s => s.Id == ChangingSources.IdOf(index) && s.ETag == ChangingSources.ETagOf(index, sources.VersionOf(index))));

    /// <summary>Every 150 ms one source, picked at random, publishes its next version.</summary>
    private static async Task PublishAsync(ChangingSources sources, Random random, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(150));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
                sources.Advance(random.Next(sources.Count));
        }
        catch (OperationCanceledException)
        {
            // Done publishing.
        }
    }

    /// <summary>Reads the section feed as a subscriber would, until the service dies, and keeps every item link it served.</summary>
    private static async Task ReadServedLinksAsync(HttpClient client, ConcurrentBag<string> served, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var feed = JsonDocument.Parse(await client.GetStringAsync("sections/all/json", cancellationToken));
                foreach (var item in feed.RootElement.GetProperty("items").EnumerateArray())
                    served.Add(item.GetProperty("url").GetString()!);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JsonException)
            {
                return; // killed, mid-answer or before it
            }
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string failure, TimeSpan? every = null)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout)
                throw new TimeoutException(failure);
            await Task.Delay(every ?? TimeSpan.FromMilliseconds(200));
        }
    }
}
