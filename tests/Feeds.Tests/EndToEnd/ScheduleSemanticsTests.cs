using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Feeds.Tests.Support;

namespace Feeds.Tests.EndToEnd;

/// <summary>
/// The schedule an operator writes is the schedule they get: a source with <c>"schedule": "15m"</c> whose items are 13 h
/// apart is due again within 15 min (plus the spread), a feed whose ttl asks for more is due later, and a source without a
/// schedule keeps the adaptive interval; /status says which rule set each due time, in its JSON and its HTML. On SQLite;
/// <see cref="PostgresScheduleSemanticsTests"/> runs the same on PostgreSQL.
/// </summary>
public class ScheduleSemanticsTests : IAsyncLifetime
{
    /// <summary>The most <c>PollSchedule.Spread</c> adds to a 15-minute interval: a tenth of it.</summary>
    private static readonly TimeSpan Spread15m = TimeSpan.FromSeconds(90);

    protected virtual StoreKind Store => StoreKind.Sqlite;

    private LoopbackSourceServer _sources = null!;
    private FeedsTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _sources = await LoopbackSourceServer.StartAsync();
        _sources.Serve("/slow.rss", SlowFeed(ttlMinutes: null));
        _sources.Serve("/slow-ttl.rss", SlowFeed(ttlMinutes: 120));
        _sources.Serve("/slow-adaptive.rss", SlowFeed(ttlMinutes: null));
        var started = DateTimeOffset.UtcNow;
        _host = await FeedsTestHost.StartAsync(
            new[] { new { id = "wires", title = "Wires", description = "" } },
            new object[]
            {
                new { id = "slow", url = Url("/slow.rss"), sections = new[] { "wires" }, schedule = "15m" },
                new { id = "slow-ttl", url = Url("/slow-ttl.rss"), sections = new[] { "wires" }, schedule = "15m" },
                new { id = "slow-adaptive", url = Url("/slow-adaptive.rss"), sections = new[] { "wires" } },
            },
            store: Store);
        await _host.WaitForPollsAsync(3, started);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _sources.DisposeAsync();
    }

    private string Url(string path) => new Uri(_sources.BaseUri, path.TrimStart('/')).AbsoluteUri;

    /// <summary>An RSS feed whose items are 13 h apart, the newest an hour old: a rhythm far slower than 15 minutes.</summary>
    private static byte[] SlowFeed(int? ttlMinutes)
    {
        var now = DateTimeOffset.UtcNow;
        var items = Enumerable.Range(0, 5).Select(i => HostileFeeds.Item($"Dispatch {i}", $"slow-{i}",
            (now - TimeSpan.FromHours(1 + 13 * i)).ToString("R", CultureInfo.InvariantCulture)));
        var ttl = ttlMinutes is { } minutes ? $"<ttl>{minutes}</ttl>" : "";
        return Encoding.UTF8.GetBytes(
            $"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Slow</title><link>https://slow.example/</link><description>d</description>{ttl}{string.Concat(items)}</channel></rss>""");
    }

    private async Task<Dictionary<string, JsonElement>> StatusJsonAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "status");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await _host.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        return status.GetProperty("sources").EnumerateArray().ToDictionary(s => s.GetProperty("id").GetString()!);
    }

    private static TimeSpan Wait(JsonElement source) =>
        source.GetProperty("nextDueAt").GetDateTimeOffset() - source.GetProperty("lastAttemptAt").GetDateTimeOffset();

    /// <summary>The HTML row of a source on /status, decoded.</summary>
    private async Task<string> StatusRowAsync(string id)
    {
        var html = await _host.Client.GetStringAsync("status");
        return WebUtility.HtmlDecode(html.Split("<tr>").Single(row => row.Contains($"<strong>{id}</strong>", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AScheduleOf15MinutesIsKeptWhateverTheSlowRhythmAndStatusSaysSo()
    {
        var slow = (await StatusJsonAsync())["slow"];

        Assert.Equal("schedule", slow.GetProperty("nextDueRule").GetString());
        Assert.InRange(Wait(slow), TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(15) + Spread15m);
        Assert.Contains("by schedule", await StatusRowAsync("slow"));
    }

    [Fact]
    public async Task ATtlLongerThanTheScheduleMakesItLaterAndStatusNamesThePublisher()
    {
        var ttl = (await StatusJsonAsync())["slow-ttl"];

        Assert.Equal("publisher ttl", ttl.GetProperty("nextDueRule").GetString());
        Assert.InRange(Wait(ttl), TimeSpan.FromMinutes(120), TimeSpan.FromMinutes(125));
        Assert.Contains("by publisher ttl", await StatusRowAsync("slow-ttl"));
    }

    [Fact]
    public async Task WithoutAScheduleTheRhythmSetsTheIntervalAsBefore()
    {
        var adaptive = (await StatusJsonAsync())["slow-adaptive"];

        // Half the average gap of items 13 h apart (53 h over 5 items, counting the hour since the newest): over 5 h, not the default 30 min.
        Assert.Equal("rhythm", adaptive.GetProperty("nextDueRule").GetString());
        Assert.InRange(Wait(adaptive), TimeSpan.FromHours(5), TimeSpan.FromHours(12) + TimeSpan.FromMinutes(5));
        Assert.Contains("by rhythm", await StatusRowAsync("slow-adaptive"));
    }
}

/// <summary>The same tests with the service storing in PostgreSQL.</summary>
public sealed class PostgresScheduleSemanticsTests : ScheduleSemanticsTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}
