using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Xml.Linq;
using Feeds.Core.Sources;
using Feeds.Tests.Sources;
using Feeds.Tests.Support;

namespace Feeds.Tests.EndToEnd;

/// <summary>An operator edits the config while the service runs. On SQLite; <see cref="PostgresHotReloadTests"/> runs the same on PostgreSQL.</summary>
public class HotReloadTests : IAsyncLifetime
{
    protected virtual StoreKind Store => StoreKind.Sqlite;

    private LoopbackSourceServer _sources = null!;
    private FeedsTestHost _host = null!;

    private object Source(string id, string path, params string[] sections) =>
        new { id, url = new Uri(_sources.BaseUri, path.TrimStart('/')).AbsoluteUri, sections };

    private static object Section(string id, string title) => new { id, title, description = "" };

    public async Task InitializeAsync()
    {
        _sources = await LoopbackSourceServer.StartAsync();
        _sources.Serve("/wire.rss", TestFiles.SampleBytes("world-wire.rss"));
        _sources.Serve("/tech.rss", TestFiles.SampleBytes("techdesk.rss"));
        _sources.Serve("/politics.atom", TestFiles.SampleBytes("meridian-politics.atom"));
        var started = DateTimeOffset.UtcNow;
        _host = await FeedsTestHost.StartAsync(
            new[] { Section("international", "International"), Section("technology", "Technology") },
            new[] { Source("wire", "/wire.rss", "international"), Source("tech", "/tech.rss", "technology") },
            store: Store);
        await _host.WaitForPollsAsync(2, started);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _sources.DisposeAsync();
    }

    private Task WriteConfigAsync(object sections, object sources) =>
        File.WriteAllTextAsync(_host.ConfigPath, JsonSerializer.Serialize(new { sections, sources, fetching = FeedsTestHost.LoopbackFetching }));

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var value = await probe();
            if (done(value) || DateTime.UtcNow > deadline)
                return value;
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task AddedRemovedAndChangedSourcesAndSectionsApplyWithin5SecondsWithoutRepollingUnchangedOnes()
    {
        var wirePolls = _sources.RequestCount("/wire.rss");
        var techPolls = _sources.RequestCount("/tech.rss");

        await WriteConfigAsync(
            new[] { Section("international", "World"), Section("politics", "Politics") },
            new[] { Source("wire", "/wire.rss", "international"), Source("politics", "/politics.atom", "politics") });
        var politics = await EventuallyAsync(() => _host.Client.GetAsync("sections/politics/atom"),
            response => response.StatusCode == HttpStatusCode.OK && XDocument.Parse(response.Content.ReadAsStringAsync().Result).Root!.Elements().Count(e => e.Name.LocalName == "entry") == 8,
            TimeSpan.FromSeconds(5));

        Assert.Equal(HttpStatusCode.OK, politics.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Client.GetAsync("sections/technology/atom")).StatusCode);
        var world = XDocument.Parse(await _host.Client.GetStringAsync("sections/international/atom"));
        Assert.Equal("World", world.Root!.Elements().First(e => e.Name.LocalName == "title").Value);
        await Task.Delay(1500); // any stray poll of the removed or unchanged sources would land by now
        Assert.Equal(wirePolls, _sources.RequestCount("/wire.rss"));
        Assert.Equal(techPolls, _sources.RequestCount("/tech.rss"));
    }

    [Fact]
    public async Task AnInvalidEditKeepsTheLastGoodConfigAndRecordsEveryProblem()
    {
        await File.WriteAllTextAsync(_host.ConfigPath, """
            { "sections": [{ "id": "international", "title": "International" }],
              "sources": [{ "id": "wire", "url": "ftp://example.com/feed", "sections": ["sports"] }] }
            """);
        var monitor = _host.Services.GetRequiredService<FeedsConfigMonitor>();
        var rejected = await EventuallyAsync(() => Task.FromResult(monitor.Rejected), r => r is not null, TimeSpan.FromSeconds(5));

        Assert.NotNull(rejected);
        Assert.Contains(rejected.Problems, p => p.Path == "sources[0].url");
        Assert.Contains(rejected.Problems, p => p.Path == "sources[0].sections[0]");
        Assert.Equal(HttpStatusCode.OK, (await _host.Client.GetAsync("sections/technology/rss")).StatusCode);
        Assert.Equal(2, monitor.Current.Sources.Count);
    }

    [Theory]
    [MemberData(nameof(BrokenConfigs.Cases), MemberType = typeof(BrokenConfigs))]
    public async Task ARefusedEditIsNamedByFileLineAndColumnInTheLogAndOnStatus(string mistake, string json, string expected)
    {
        var line = expected.Replace("FILE", _host.ConfigPath);
        await File.WriteAllTextAsync(_host.ConfigPath, json);
        var monitor = _host.Services.GetRequiredService<FeedsConfigMonitor>();
        // The watcher may catch the file half written once; the edit as saved is what it settles on.
        var rejected = await EventuallyAsync(() => Task.FromResult(monitor.Rejected),
            r => r?.Problems.Count == 1 && r.Problems[0].ToString().StartsWith(line, StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        var logs = await LogsAsync(line);

        Assert.NotNull(rejected);
        Assert.StartsWith(line, Assert.Single(rejected.Problems).ToString());
        Assert.Contains(logs, log => log.Contains(line, StringComparison.Ordinal));
        var html = WebUtility.HtmlDecode(await _host.Client.GetStringAsync("status"));
        Assert.True(html.Contains(line, StringComparison.Ordinal), $"{mistake}: /status does not show {line}");
        Assert.Equal(2, monitor.Current.Sources.Count);
    }

    [Fact]
    public async Task ALowerBodyCapAppliesToTheNextFetchWithoutARestartAndIsLogged()
    {
        _sources.Serve("/wire-again.rss", TestFiles.SampleBytes("world-wire.rss"));
        // Moving a source polls it at once: the first fetch after the edit.
        await File.WriteAllTextAsync(_host.ConfigPath, JsonSerializer.Serialize(new
        {
            sections = new[] { Section("international", "International"), Section("technology", "Technology") },
            sources = new[] { Source("wire", "/wire-again.rss", "international"), Source("tech", "/tech.rss", "technology") },
            fetching = new { allowPrivateNetworks = new[] { "127.0.0.1/32" }, minHostSpacing = "50ms", maxBodyBytes = 1024 },
        }));

        var wire = await EventuallyAsync(() => WireStatusAsync(), s => s.GetProperty("errorCategory").GetString() is not null, TimeSpan.FromSeconds(5));

        Assert.Equal(1, _sources.RequestCount("/wire-again.rss"));
        Assert.Equal("TooLarge", wire.GetProperty("errorCategory").GetString());
        Assert.Contains("1,024-byte limit", wire.GetProperty("lastError").GetString());
        Assert.Contains(await LogsAsync("fetching settings in force for the next fetches: maxBodyBytes 15,728,640 → 1,024"),
            log => log.Contains("fetching settings in force for the next fetches: maxBodyBytes 15,728,640 → 1,024", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnAllowlistEditAppliesToTheNextFetchWithoutARestartAndIsLogged()
    {
        _sources.Serve("/wire-again.rss", TestFiles.SampleBytes("world-wire.rss"));
        await File.WriteAllTextAsync(_host.ConfigPath, JsonSerializer.Serialize(new
        {
            sections = new[] { Section("international", "International"), Section("technology", "Technology") },
            sources = new[] { Source("wire", "/wire-again.rss", "international"), Source("tech", "/tech.rss", "technology") },
            fetching = new { minHostSpacing = "50ms" },
        }));

        var wire = await EventuallyAsync(() => WireStatusAsync(), s => s.GetProperty("errorCategory").GetString() is not null, TimeSpan.FromSeconds(5));

        // Refused before a connection was made: the loopback server never saw the request.
        Assert.Equal("BlockedAddress", wire.GetProperty("errorCategory").GetString());
        Assert.Equal(0, _sources.RequestCount("/wire-again.rss"));
        Assert.Contains(await LogsAsync("allowPrivateNetworks [127.0.0.1/32] → []"), log => log.Contains("allowPrivateNetworks [127.0.0.1/32] → []", StringComparison.Ordinal));
    }

    /// <summary>The service's log lines, once one holds <paramref name="text"/> (the watcher logs just after the monitor changes).</summary>
    private Task<IReadOnlyList<string>> LogsAsync(string text) =>
        EventuallyAsync(() => Task.FromResult(_host.Logs), logs => logs.Any(log => log.Contains(text, StringComparison.Ordinal)), TimeSpan.FromSeconds(5));

    private async Task<JsonElement> WireStatusAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "status?q=wire");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await _host.Client.SendAsync(request);
        var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return status.GetProperty("sources").EnumerateArray().Single(s => s.GetProperty("id").GetString() == "wire").Clone();
    }

    [Fact]
    public async Task AMovedSourceIsPolledAtItsNewAddressAtOnce()
    {
        await WriteConfigAsync(
            new[] { Section("international", "International"), Section("technology", "Technology") },
            new[] { Source("wire", "/wire.rss", "international"), Source("tech", "/politics.atom", "technology") });

        var polled = await EventuallyAsync(() => Task.FromResult(_sources.RequestCount("/politics.atom")), n => n > 0, TimeSpan.FromSeconds(5));

        Assert.Equal(1, polled);
    }
}

/// <summary>The same tests with the service storing in PostgreSQL.</summary>
public sealed class PostgresHotReloadTests : HotReloadTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}
