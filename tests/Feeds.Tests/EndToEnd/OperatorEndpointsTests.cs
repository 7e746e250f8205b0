using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Feeds.Tests.Support;

namespace Feeds.Tests.EndToEnd;

/// <summary>What an operator reads: /status, /healthz and /metrics of a running service. On SQLite; <see cref="PostgresOperatorEndpointsTests"/> runs the same on PostgreSQL.</summary>
public class OperatorEndpointsTests : IAsyncLifetime
{
    protected virtual StoreKind Store => StoreKind.Sqlite;

    private LoopbackSourceServer _sources = null!;
    private FeedsTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _sources = await LoopbackSourceServer.StartAsync();
        _sources.Serve("/wire.rss", TestFiles.SampleBytes("world-wire.rss"));
        _sources.ServeStatus("/missing.rss", 404);
        _sources.Serve("/quiet.rss", QuietFeed());
        var started = DateTimeOffset.UtcNow;
        _host = await FeedsTestHost.StartAsync(
            new[] { new { id = "international", title = "International", description = "" } },
            new[]
            {
                new { id = "wire", url = new Uri(_sources.BaseUri, "wire.rss").AbsoluteUri, sections = new[] { "international" } },
                new { id = "missing", url = new Uri(_sources.BaseUri, "missing.rss").AbsoluteUri, sections = new[] { "international" } },
                new { id = "quiet", url = new Uri(_sources.BaseUri, "quiet.rss").AbsoluteUri, sections = new[] { "international" } },
            }, store: Store);
        await _host.WaitForPollsAsync(3, started);
    }

    /// <summary>A daily feed whose last item is four weeks old: its usual gap is a day, so it has gone silent.</summary>
    private static byte[] QuietFeed()
    {
        var items = Enumerable.Range(28, 5).Select(daysAgo =>
            $"<item><title>Daily note, {daysAgo} days ago</title><link>https://quiet.example.com/{daysAgo}</link><pubDate>{DateTimeOffset.UtcNow.AddDays(-daysAgo):R}</pubDate></item>");
        return Encoding.UTF8.GetBytes($"<rss version=\"2.0\"><channel><title>Quiet</title><link>https://quiet.example.com/</link>{string.Concat(items)}</channel></rss>");
    }

    private async Task<JsonElement> StatusJsonAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "status");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await _host.Client.SendAsync(request);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [Fact]
    public async Task StatusJsonShowsEachSourcesOutcomeItemsAndFreshness()
    {
        var status = await StatusJsonAsync();
        var sources = status.GetProperty("sources").EnumerateArray().ToDictionary(s => s.GetProperty("id").GetString()!);

        Assert.Equal("Updated", sources["wire"].GetProperty("lastOutcome").GetString());
        Assert.Equal(10, sources["wire"].GetProperty("itemsStored").GetInt64());
        Assert.False(sources["wire"].GetProperty("silent").GetBoolean());
        Assert.Equal("HttpStatus", sources["missing"].GetProperty("errorCategory").GetString());
        Assert.Equal(404, sources["missing"].GetProperty("httpStatus").GetInt32());
        Assert.Equal(1, sources["missing"].GetProperty("consecutiveFailures").GetInt32());
        Assert.True(sources["quiet"].GetProperty("silent").GetBoolean());
        var section = status.GetProperty("sections")[0];
        Assert.Equal(15, section.GetProperty("items").GetInt64());
        Assert.NotEqual(JsonValueKind.Null, section.GetProperty("lastUpdate").ValueKind);
    }

    [Fact]
    public async Task StatusHtmlShowsFailuresAndARejectedConfigEdit()
    {
        await File.WriteAllTextAsync(_host.ConfigPath, "{ \"sections\": [], \"sources\": [], \"colour\": 1 }");
        string html;
        var deadline = DateTime.UtcNow.AddSeconds(5);
        do
        {
            await Task.Delay(200);
            html = await _host.Client.GetStringAsync("status");
        }
        while (!html.Contains("was not applied", StringComparison.Ordinal) && DateTime.UtcNow < deadline);

        Assert.Contains("The last config edit was not applied", html);
        Assert.Contains("unknown key &quot;colour&quot;", html);
        Assert.Contains("HttpStatus", html);
        Assert.Contains("silent", html);
    }

    [Fact]
    public async Task HealthReportsReadinessWithTheStoreAndLiveness()
    {
        using var ready = await _host.Client.GetAsync("healthz");
        using var live = await _host.Client.GetAsync("healthz/live");
        var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("store").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task MetricsCountPollsAndFeedRequestsByStatus()
    {
        using var first = await _host.Client.GetAsync("sections/international/atom");
        using var request = new HttpRequestMessage(HttpMethod.Get, "sections/international/atom");
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var second = await _host.Client.SendAsync(request);

        var metrics = await _host.Client.GetStringAsync("metrics");

        Assert.Contains("feeds_polls_total{", metrics);
        Assert.Matches("feeds_polls_total\\{[^}]*category=\"HttpStatus\"[^}]*outcome=\"failed\"[^}]*\\} [1-9]", metrics);
        Assert.Matches("feeds_feed_requests_total\\{[^}]*format=\"atom\"[^}]*status=\"304\"[^}]*\\} [1-9]", metrics);
        Assert.Contains("feeds_poll_duration_seconds_bucket", metrics);
        Assert.Contains("feeds_render_cache_total", metrics);
    }

    [Fact]
    public async Task MetricsCountTheScheduleJobRuns()
    {
        // The start-up polls ran as the schedule's jobs: the due queue's run on SQLite (counted once it has ended, after
        // the last poll was saved), a job per source on PostgreSQL.
        var ran = new Regex("feeds_job_runs_total\\{[^}]*job=\"(PollDueSourcesJob|RefreshSourceJob)\"[^}]*\\} [1-9]");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        var metrics = await _host.Client.GetStringAsync("metrics");
        while (!ran.IsMatch(metrics) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            metrics = await _host.Client.GetStringAsync("metrics");
        }

        Assert.Matches(ran, metrics);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _sources.DisposeAsync();
    }
}

/// <summary>The same with the service storing in PostgreSQL: status, health and metrics read from the database.</summary>
public sealed class PostgresOperatorEndpointsTests : OperatorEndpointsTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}
