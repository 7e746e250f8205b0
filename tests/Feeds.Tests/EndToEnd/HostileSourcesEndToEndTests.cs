using System.Text.Json;
using Dapper;
using Feeds.Core.Normalization;
using Feeds.Tests.Support;

namespace Feeds.Tests.EndToEnd;

/// <summary>
/// One bad source must never take a page down: hostile sources of every kind that once broke a page or a poll,
/// served from a loopback server beside ordinary ones to the real service, then every page a reader or an operator
/// can fetch, and what the store and the status say of each source. On SQLite (<see cref="HostileSourcesEndToEndTests"/>) and
/// on PostgreSQL (<see cref="PostgresHostileSourcesEndToEndTests"/>).
/// </summary>
public abstract class HostileSourcesEndToEndTests<TStore>(HostileSourcesEndToEndTests<TStore>.Service service) : IClassFixture<HostileSourcesEndToEndTests<TStore>.Service>
    where TStore : IStoreChoice
{
    private const int ManyItems = 100_000;
    private static readonly string[] SectionIds = ["world", "calm"];
    private static readonly string[] Ordinary = ["wire", "capitol"];

    /// <summary>Source id → what its server sends.</summary>
    private static readonly Dictionary<string, Func<LoopbackSourceServer, Uri>> Kinds = new()
    {
        ["wire"] = s => s.Serve("/wire.rss", TestFiles.SampleBytes("world-wire.rss")),
        ["capitol"] = s => s.Serve("/capitol.atom", TestFiles.SampleBytes("capitol-briefing.atom")),
        ["dates"] = s => s.Serve("/dates.rss", HostileFeeds.OutOfRangeDates()),
        ["nul"] = s => s.Serve("/nul.rss", HostileFeeds.RawControlBytes()),
        ["references"] = s => s.Serve("/references.rss", HostileFeeds.ReferencedControls()),
        ["surrogates"] = s => s.Serve("/surrogates.json", HostileFeeds.JsonFeedWithLoneSurrogates(), "application/feed+json"),
        ["huge-title"] = s => s.Serve("/huge-title.rss", HostileFeeds.HugeTitle()),
        ["markup"] = s => s.Serve("/markup.rss", HostileFeeds.MarkupTitles()),
        ["script-urls"] = s => s.Serve("/script-urls.atom", HostileFeeds.ScriptUrlsAtom()),
        ["repeated"] = s => s.Serve("/repeated.rss", HostileFeeds.RepeatedIdentities()),
        ["many"] = s => s.Serve("/many.rss", HostileFeeds.ManyItems(ManyItems)),
        ["plain-json"] = s => s.Serve("/plain.json", HostileFeeds.PlainJson(), "application/json"),
        ["retry-forever"] = s => s.ServeStatus("/retry", 503, retryAfter: "999999999999"),
        ["bomb"] = s => s.ServeGzipBomb("/bomb.rss", 64L * 1024 * 1024),
        ["redirected"] = s =>
        {
            s.ServeRedirect("/moved-1", 308, "/moved-2");
            s.ServeRedirect("/moved-2", 301, "/moved-3");
            s.ServeRedirect("/moved-3", 302, "/moved.rss");
            s.Serve("/moved.rss", TestFiles.SampleBytes("techdesk.rss"));
            return new Uri(s.BaseUri, "moved-1");
        },
    };

    /// <summary>The real service on every kind of source, started once and polled once for all the tests of this class.</summary>
    public sealed class Service : IAsyncLifetime
    {
        private LoopbackSourceServer _sources = null!;

        public FeedsTestHost Host { get; private set; } = null!;

        public DateTimeOffset Started { get; private set; }

        public async Task InitializeAsync()
        {
            _sources = await LoopbackSourceServer.StartAsync();
            var sources = Kinds.Select(kind => new
            {
                id = kind.Key,
                url = kind.Value(_sources).AbsoluteUri,
                sections = Ordinary.Contains(kind.Key) ? new[] { "world", "calm" } : ["world"],
            }).ToArray();
            var sections = new object[]
            {
                new { id = "world", title = "World", description = "Everything" },
                new { id = "calm", title = "Calm", description = "Ordinary sources only" },
            };
            Started = DateTimeOffset.UtcNow;
            Host = await FeedsTestHost.StartAsync(sections, sources, store: TStore.Kind);
            await Host.WaitForPollsAsync(sources.Length, Started, TimeSpan.FromSeconds(120));
        }

        public async Task DisposeAsync()
        {
            await Host.DisposeAsync();
            await _sources.DisposeAsync();
        }
    }

    private FeedsTestHost Host => service.Host;

    [Fact]
    public async Task EveryPageAnswersAndKeepsItsPromisesWhateverTheSourcesSent()
    {
        var bodies = await PublishedSurface.CheckAllAsync(Host.Client, SectionIds, DateTimeOffset.UtcNow);

        // The ordinary sources' stories are still published beside the hostile ones.
        Assert.Contains("Harbor Wire", bodies["/sections/calm/rss"]);
        Assert.Contains("Harbor Wire", bodies["/sections/calm/atom"]);
        Assert.Contains("Harbor Wire", bodies["/sections/calm"]);
        using (var world = JsonDocument.Parse(bodies["/sections/world/json"]))
            Assert.NotEmpty(world.RootElement.GetProperty("items").EnumerateArray());
        // The redirected source landed through its 308 → 301 → 302 chain.
        Assert.True(await ItemCountAsync("redirected") > 0);
        using var health = await Host.Client.GetAsync("healthz");
        Assert.Equal(200, (int)health.StatusCode);
    }

    [Fact]
    public async Task EverySourceWasAttemptedAndAFailingOneSaysWhy()
    {
        var status = await StatusAsync();
        foreach (var id in Kinds.Keys)
            Assert.True(status[id].GetProperty("lastAttemptAt").ValueKind == JsonValueKind.String, $"{id} shows no attempt");

        Assert.Equal("NotAFeed", Category(status["plain-json"]));
        Assert.Equal("TooLarge", Category(status["bomb"]));
        Assert.Equal("RateLimited", Category(status["retry-forever"]));
        // Retry-After of 999999999999 s is capped at a day, not ignored.
        var retryNotBefore = status["retry-forever"].GetProperty("retryNotBefore").GetDateTimeOffset();
        Assert.InRange(retryNotBefore, service.Started.AddHours(23), DateTimeOffset.UtcNow.AddDays(1).AddMinutes(1));
        var failed = Kinds.Keys.Except(["plain-json", "bomb", "retry-forever"])
            .Where(id => Category(status[id]) is not null).Select(id => $"{id}: {status[id].GetProperty("lastError")}");
        Assert.Empty(failed);
    }

    [Fact]
    public async Task WhatIsStoredKeepsTheInvariantsOfTheEdge()
    {
        await using var connection = await Host.OpenDatabaseAsync();
        var rows = (await connection.QueryAsync<(string Source, string Title, string? Link, string? Summary, string? Content, string Authors, string Categories, string Enclosures, string? Image, long Published)>(
            "SELECT source_id, title, link, summary_html, content_html, authors_json, categories_json, enclosures_json, image_url, published_at FROM items")).ToList();

        Assert.NotEmpty(rows);
        foreach (var row in rows)
        {
            Assert.True(row.Title.Length <= SafeText.MaxTitleLength, $"{row.Source}: a title of {row.Title.Length} characters");
            Assert.False(PublishedSurface.LooksLikeMarkup(row.Title), $"{row.Source}: a title with markup: {row.Title}");
            foreach (var text in new[] { row.Title, row.Link, row.Summary, row.Content, row.Authors, row.Categories, row.Enclosures, row.Image })
                Assert.True(text is null || SafeText.IsClean(text), $"{row.Source}: a stored control character or lone surrogate");
            PublishedSurface.AssertInWindow(row.Source, DateTimeOffset.FromUnixTimeMilliseconds(row.Published), DateTimeOffset.UtcNow);
            foreach (var url in new[] { row.Link, row.Image }.OfType<string>())
                Assert.Equal(url, SafeText.HttpUrl(url));
            Assert.DoesNotContain("javascript:", row.Authors + row.Enclosures + row.Content + row.Summary, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("data:text/html", row.Authors, StringComparison.OrdinalIgnoreCase);
        }
        // Six items over three guids (each pair with one link) and one more: four stories, not seven.
        Assert.Equal(4, await ItemCountAsync("repeated"));
        // Every dated item of the out-of-range feed is kept, the impossible dates as first seen.
        Assert.Equal(5, await ItemCountAsync("dates"));
    }

    [Fact]
    public async Task ADocumentOverTheItemLimitKeepsTheNewestAndSaysSo()
    {
        var stored = await ItemCountAsync("many");
        Assert.Equal(FeedNormalizer.MaxItemsPerDocument, stored);
        var status = await StatusAsync();
        Assert.Equal(ManyItems - FeedNormalizer.MaxItemsPerDocument, status["many"].GetProperty("itemsLeftOut").GetInt32());
        await using var connection = await Host.OpenDatabaseAsync();
        // The newest: item 0 is the newest of the document, item 99,999 the oldest.
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM items WHERE source_id = 'many' AND title = 'Item number 0'"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM items WHERE source_id = 'many' AND title = 'Item number 99999'"));
    }

    private async Task<long> ItemCountAsync(string sourceId)
    {
        await using var connection = await Host.OpenDatabaseAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM items WHERE source_id = @sourceId", new { sourceId });
    }

    private async Task<Dictionary<string, JsonElement>> StatusAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "status");
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await Host.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("sources").EnumerateArray()
            .ToDictionary(s => s.GetProperty("id").GetString()!, s => s.Clone());
    }

    private static string? Category(JsonElement source) =>
        source.TryGetProperty("errorCategory", out var category) && category.ValueKind == JsonValueKind.String ? category.GetString() : null;
}

public sealed class HostileSourcesEndToEndTests(HostileSourcesEndToEndTests<OnSqlite>.Service service) : HostileSourcesEndToEndTests<OnSqlite>(service);

public sealed class PostgresHostileSourcesEndToEndTests(HostileSourcesEndToEndTests<OnPostgres>.Service service) : HostileSourcesEndToEndTests<OnPostgres>(service);
