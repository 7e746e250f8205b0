using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Feeds.Service.Hosting;
using Feeds.Tests.Durability;
using Feeds.Tests.Support;
using Npgsql;
using Xunit.Abstractions;

namespace Feeds.Tests.Cluster;

/// <summary>
/// Two real <c>feeds serve</c> processes on one PostgreSQL database, polling loopback sources that each answer in
/// <see cref="Answer"/>, so that polls are in flight on both nodes when one is killed with SIGKILL. The nodes share
/// Quartz's clustered schedule: a source is polled by one node once for its due time, and the polls the dead node held
/// (running, or waiting for a fetch slot) are redone by the other within 20 s, nothing lost and nothing stored twice.
/// A third node that joins later polls nothing that is not due, and serves the same feed bytes and ETag as the other;
/// a poll committed by another process shows on both at their next request, and its WebSub ping goes out once. Each
/// node lists the live nodes on /status, warns when their config files differ, and says on /healthz it is checked in.
/// </summary>
[Collection(DurabilityCollection.Name)]
public sealed partial class ClusterTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int SourceCount = 24;
    private const int ItemsPerSource = 5;
    private static readonly TimeSpan Answer = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Failover = TimeSpan.FromSeconds(20);

    private readonly TempFolder _folder = new();
    private PostgresServer _postgres = null!;
    private string _database = null!;
    private LoopbackSourceServer _sources = null!;

    public async Task InitializeAsync()
    {
        _postgres = await PostgresServer.GetAsync();
        _database = await _postgres.CreateDatabaseAsync();
        _sources = await LoopbackSourceServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _sources.DisposeAsync();
        await _postgres.DropDatabaseAsync(_database);
        _folder.Dispose();
    }

    private static string IdOf(int source) => $"s{source:D2}";

    private static string PathOf(string sourceId) => $"/cluster/{sourceId}.rss";

    [Fact]
    public async Task TwoNodesPollEachSourceOnceAndTheSurvivorOfASigkillRedoesTheDeadNodesPollsWithin20Seconds()
    {
        var config = WriteConfig();
        var sourceIds = Enumerable.Range(0, SourceCount).Select(IdOf).ToList();

        var nodes = await Task.WhenAll(FeedsServiceProcess.StartAsync(config, []), FeedsServiceProcess.StartAsync(config, []));
        await using var first = nodes[0];
        await using var second = nodes[1];
        var nodeIds = new Dictionary<FeedsServiceProcess, string>
        {
            [first] = await NodeIdAsync(first),
            [second] = await NodeIdAsync(second),
        };
        Assert.NotEqual(nodeIds[first], nodeIds[second]);

        // Wait until polls are under way, then stop the node holding the most of them where it stands, and read which
        // polls it holds (running, or fired and waiting for a fetch slot): the ones the survivor must redo.
        await WaitUntilAsync(() => sourceIds.Sum(id => _sources.RequestCount(PathOf(id))) >= 6, TimeSpan.FromSeconds(30), "the first polls");
        var held = await HeldPollsAsync();
        var victim = HeldBy(held, nodeIds[first]) >= HeldBy(held, nodeIds[second]) ? first : second;
        var survivor = victim == first ? second : first;
        victim.Freeze();
        var victimHeld = (await HeldPollsAsync()).GetValueOrDefault(nodeIds[victim]) ?? [];
        var killedAt = DateTimeOffset.UtcNow;
        await victim.KillAsync();
        output.WriteLine($"killed {nodeIds[victim]} holding {victimHeld.Count} polls: {string.Join(", ", victimHeld)}");
        Assert.NotEmpty(victimHeld);

        // Every source stored whole, the dead node's included.
        await WaitUntilAsync(async () => (await StoredItemsAsync()).Values.Sum() == SourceCount * ItemsPerSource, Failover + TimeSpan.FromSeconds(15), "every item stored");
        var stored = await StoredItemsAsync();
        Assert.All(sourceIds, id => Assert.Equal(ItemsPerSource, stored.GetValueOrDefault(id)));
        Assert.Equal(0, await ScalarAsync("SELECT count(*) FROM (SELECT source_id, guid FROM items GROUP BY source_id, guid HAVING count(*) > 1) AS twice"));

        foreach (var id in sourceIds)
        {
            var times = _sources.RequestTimes(PathOf(id));
            var before = times.Count(at => at < killedAt);
            var after = times.Where(at => at >= killedAt).ToList();
            // One poll per source for its due time; a second only for a poll the dead node held, redone by the survivor.
            Assert.True(before <= 1, $"{id} was polled {before} times before the kill");
            Assert.True(after.Count <= 1, $"{id} was polled {after.Count} times after the kill");
            if (before == 1 && after.Count == 1)
                Assert.Contains(id, victimHeld);
            if (victimHeld.Contains(id))
            {
                Assert.True(after.Count == 1, $"{id}, held by the dead node, was not polled again");
                Assert.True(after[0] - killedAt < Failover, $"{id}, held by the dead node, was polled again only {(after[0] - killedAt).TotalSeconds:0.0} s after the kill");
            }
        }
        var redone = victimHeld.Select(id => _sources.RequestTimes(PathOf(id)).Max() - killedAt).ToList();
        output.WriteLine($"the dead node's polls redone from {redone.Min().TotalSeconds:0.0} s to {redone.Max().TotalSeconds:0.0} s after the kill");

        // A node that joins now leaves the stored schedule alone (nothing is due), and serves what the survivor serves.
        var requestsBefore = sourceIds.Sum(id => _sources.RequestCount(PathOf(id)));
        // Its config file differs from the others' by a trailing line break alone: the same settings, another hash,
        // which /status warns about.
        var joinedConfig = _folder.File("feeds-joined.json");
        File.WriteAllText(joinedConfig, File.ReadAllText(config) + "\n");
        await using var joined = await FeedsServiceProcess.StartAsync(joinedConfig, []);
        var joinedId = await NodeIdAsync(joined);
        var fromSurvivor = await survivor.Client.GetAsync("sections/news/rss");
        var fromJoined = await joined.Client.GetAsync("sections/news/rss");
        Assert.Equal(HttpStatusCode.OK, fromSurvivor.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fromJoined.StatusCode);
        Assert.NotNull(fromSurvivor.Headers.ETag);
        Assert.Equal(fromSurvivor.Headers.ETag, fromJoined.Headers.ETag);
        Assert.Equal(await fromSurvivor.Content.ReadAsByteArrayAsync(), await fromJoined.Content.ReadAsByteArrayAsync());
        // The ETag one node gave is a 304 on the other: a reader behind a load balancer revalidates on either.
        using var revalidate = new HttpRequestMessage(HttpMethod.Get, "sections/news/rss");
        revalidate.Headers.IfNoneMatch.Add(fromSurvivor.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await joined.Client.SendAsync(revalidate)).StatusCode);
        Assert.Equal(requestsBefore, sourceIds.Sum(id => _sources.RequestCount(PathOf(id))));

        // Each node lists both live nodes and warns that their config files differ; each is checked in.
        await WaitUntilAsync(async () => (await ClusterOnStatusAsync(survivor)).Nodes.Contains(joinedId), TimeSpan.FromSeconds(10), "the joined node listed");
        foreach (var node in new[] { survivor, joined })
        {
            var (listed, configsDiffer) = await ClusterOnStatusAsync(node);
            Assert.Contains(nodeIds[survivor], listed);
            Assert.Contains(joinedId, listed);
            Assert.True(configsDiffer);
            Assert.Contains("config files that differ", await node.Client.GetStringAsync("status"));
            using var health = JsonDocument.Parse(await node.Client.GetStringAsync("healthz"));
            Assert.Equal("Healthy", health.RootElement.GetProperty("checks").GetProperty("cluster").GetProperty("status").GetString());
        }

        // A poll committed by another process (`feeds refresh` on the same database) shows on every node within 2 s:
        // each reads the store's change counter with the request, whatever it rendered and cached before. A reader may get
        // the previous bytes while the new ones render (RenderCache.FreshBytesWait), so the nodes are asked until both show it.
        var pings = await QuietHubAsync();
        _sources.Serve(PathOf("s00"), FeedOf("s00", ItemsPerSource + 1));
        var refresh = await FeedsProcess.RunAsync("refresh", "--config", config, "--source", "s00");
        Assert.True(refresh.ExitCode == 0, refresh.Output + refresh.Error);
        var newItem = $"s00 story {ItemsPerSource + 1}";
        var committed = Stopwatch.StartNew();
        HttpResponseMessage survivorFeed, joinedFeed;
        while (true)
        {
            (survivorFeed, joinedFeed) = (await survivor.Client.GetAsync("sections/news/rss"), await joined.Client.GetAsync("sections/news/rss"));
            if ((await survivorFeed.Content.ReadAsStringAsync()).Contains(newItem) && (await joinedFeed.Content.ReadAsStringAsync()).Contains(newItem))
                break;
            Assert.True(committed.Elapsed < TimeSpan.FromSeconds(2), $"{newItem} was not on both nodes 2 s after the commit");
            await Task.Delay(50);
        }
        Assert.Equal(await survivorFeed.Content.ReadAsByteArrayAsync(), await joinedFeed.Content.ReadAsByteArrayAsync());
        Assert.Equal(survivorFeed.Headers.ETag, joinedFeed.Headers.ETag);
        Assert.NotEqual(fromSurvivor.Headers.ETag, survivorFeed.Headers.ETag);

        // The hub hears of that change once (once per format of the section), not once per node.
        await QuietHubAsync();
        var pinged = _sources.Posts.Skip(pings).Select(post => post.Body).ToList();
        Assert.NotEmpty(pinged);
        Assert.Equal(pinged.Distinct(), pinged);
    }

    /// <summary>The number of pings the hub had once none came for several of the pinger's 2 s checks.</summary>
    private async Task<int> QuietHubAsync()
    {
        var quiet = TimeSpan.FromSeconds(6);
        var (count, since) = (_sources.Posts.Count, Stopwatch.StartNew());
        while (since.Elapsed < quiet)
        {
            await Task.Delay(200);
            if (_sources.Posts.Count != count)
                (count, since) = (_sources.Posts.Count, Stopwatch.StartNew());
        }
        return count;
    }

    /// <param name="hanging">Also a source that never answers, with this id.</param>
    private string WriteConfig(string? hanging = null)
    {
        var path = _folder.File("feeds.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new
        {
            sections = new[] { new { id = "news", title = "News", description = "Every source" } },
            sources = Enumerable.Range(0, SourceCount).Select(source =>
            {
                var id = IdOf(source);
                var url = _sources.Serve(PathOf(id), FeedOf(id), delay: Answer);
                return new { id, url = url.AbsoluteUri, sections = new[] { "news" } };
            }).Concat(hanging is null ? [] : [new { id = hanging, url = _sources.ServeHang(PathOf(hanging)).AbsoluteUri, sections = new[] { "news" } }]),
            // Feed links name the public address, not the node that answered: the one setting a cluster must share.
            publishing = new { itemsPerFeed = 500, baseUrl = "https://news.example.org/", hub = _sources.ServeHub("/hub").AbsoluteUri },
            fetching = new { allowPrivateNetworks = new[] { "127.0.0.1/32" }, minHostSpacing = "0s", perHostConcurrency = 8, maxConcurrency = 8 },
            storage = new { provider = "postgres", connectionString = _postgres.ConnectionString(_database) },
        }));
        return path;
    }

    [Fact]
    public async Task ANodeStoppedWhileAPollHangsGivesThePollUpAtOnce()
    {
        await using var node = await FeedsServiceProcess.StartAsync(WriteConfig(hanging: "hang"), []);
        await WaitUntilAsync(() => _sources.RequestCount(PathOf("hang")) == 1, TimeSpan.FromSeconds(30), "the hanging source asked");

        var stopping = Stopwatch.StartNew();
        node.Terminate();

        // Held until the shutdown timeout, the poll would keep the node for all of it.
        Assert.Equal(0, await node.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(stopping.Elapsed < FeedsApp.ShutdownTimeout, $"the node took {stopping.Elapsed} to stop, the shutdown timeout {FeedsApp.ShutdownTimeout} or more");
    }

    private static byte[] FeedOf(string sourceId, int items = ItemsPerSource)
    {
        var feed = new StringBuilder($"<rss version=\"2.0\"><channel><title>{sourceId}</title><link>https://{sourceId}.example/</link>");
        for (var item = 1; item <= items; item++)
            feed.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"<item><title>{sourceId} story {item}</title><link>https://{sourceId}.example/{item}</link><guid>{sourceId}-{item}</guid><pubDate>{new DateTimeOffset(2026, 12, 1, item, 0, 0, TimeSpan.Zero):R}</pubDate></item>");
        return Encoding.UTF8.GetBytes(feed.Append("</channel></rss>").ToString());
    }

    private static async Task<string> NodeIdAsync(FeedsServiceProcess node)
    {
        await node.WaitForOutputAsync(line => NodeLine().IsMatch(line), TimeSpan.FromSeconds(30));
        return node.Output.Select(line => NodeLine().Match(line)).First(match => match.Success).Groups[1].Value;
    }

    [GeneratedRegex(@"Scheduling as cluster node (\S+):")]
    private static partial Regex NodeLine();

    /// <summary>The source polls each node holds now (Quartz's fired triggers: running, or waiting for a fetch slot), by node.</summary>
    private async Task<Dictionary<string, List<string>>> HeldPollsAsync()
    {
        await using var connection = new NpgsqlConnection(_postgres.ConnectionString(_database));
        var rows = await connection.QueryAsync<(string Node, string Source)>("SELECT instance_name, job_name FROM qrtz_fired_triggers WHERE job_group = 'sources'");
        return rows.GroupBy(row => row.Node).ToDictionary(group => group.Key, group => group.Select(row => row.Source).ToList());
    }

    private static async Task<(List<string> Nodes, bool ConfigsDiffer)> ClusterOnStatusAsync(FeedsServiceProcess node)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "status");
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await node.Client.SendAsync(request);
        using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var cluster = status.RootElement.GetProperty("cluster");
        return (cluster.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("id").GetString()!).ToList(), cluster.GetProperty("configsDiffer").GetBoolean());
    }

    private static int HeldBy(Dictionary<string, List<string>> held, string nodeId) => held.GetValueOrDefault(nodeId)?.Count ?? 0;

    private async Task<Dictionary<string, long>> StoredItemsAsync()
    {
        await using var connection = new NpgsqlConnection(_postgres.ConnectionString(_database));
        var rows = await connection.QueryAsync<(string Source, long Items)>("SELECT source_id, count(*) FROM items GROUP BY source_id");
        return rows.ToDictionary(row => row.Source, row => row.Items);
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_postgres.ConnectionString(_database));
        return await connection.ExecuteScalarAsync<long>(sql);
    }

    private static Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        WaitUntilAsync(() => Task.FromResult(condition()), timeout, what);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!await condition())
        {
            if (waited.Elapsed > timeout)
                throw new TimeoutException($"{what}: not within {timeout.TotalSeconds:0} s");
            await Task.Delay(100);
        }
    }
}
