using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.ServiceModel.Syndication;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using Feeds.Tests.Support;

namespace Feeds.Tests.EndToEnd;

/// <summary>What a feed reader sees over HTTP: formats, compression, caching, paging, OPML and WebSub. On SQLite; <see cref="PostgresPublishingEndToEndTests"/> runs the same on PostgreSQL.</summary>
public class PublishingEndToEndTests : IAsyncLifetime
{
    protected virtual StoreKind Store => StoreKind.Sqlite;

    private LoopbackSourceServer _sources = null!;
    private FeedsTestHost _host = null!;

    private static readonly object[] Sections =
    [
        new { id = "international", title = "International", description = "World news" },
        new { id = "technology", title = "Technology", description = "Tech news" },
    ];

    private object[] Sources =>
    [
        new { id = "wire", url = new Uri(_sources.BaseUri, "wire.rss").AbsoluteUri, sections = new[] { "international" } },
        new { id = "capitol", url = new Uri(_sources.BaseUri, "capitol.atom").AbsoluteUri, sections = new[] { "international" } },
        new { id = "tech", url = new Uri(_sources.BaseUri, "tech.rss").AbsoluteUri, sections = new[] { "technology" } },
    ];

    public async Task InitializeAsync()
    {
        _sources = await LoopbackSourceServer.StartAsync();
        _sources.Serve("/wire.rss", TestFiles.SampleBytes("world-wire.rss"));
        _sources.Serve("/capitol.atom", TestFiles.SampleBytes("capitol-briefing.atom"));
        _sources.Serve("/tech.rss", TestFiles.SampleBytes("techdesk.rss"));
        _host = await StartHostAsync(new { itemsPerFeed = 5 });
    }

    private async Task<FeedsTestHost> StartHostAsync(object publishing)
    {
        var started = DateTimeOffset.UtcNow;
        var host = await FeedsTestHost.StartAsync(Sections, Sources, publishing, store: Store);
        await host.WaitForPollsAsync(3, started);
        return host;
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _sources.DisposeAsync();
    }

    private async Task<HttpResponseMessage> GetAsync(string path, Action<HttpRequestHeaders>? headers = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        headers?.Invoke(request.Headers);
        return await _host.Client.SendAsync(request);
    }

    [Theory]
    [InlineData("gzip", "gzip")]
    [InlineData("br", "br")]
    [InlineData("gzip, br", "br")]
    [InlineData("br;q=0, gzip", "gzip")]
    [InlineData("identity", null)]
    public async Task CompressionIsNegotiatedAndVariesByAcceptEncoding(string acceptEncoding, string? expected)
    {
        using var plain = await GetAsync("sections/international/atom");
        using var response = await GetAsync("sections/international/atom", h => h.TryAddWithoutValidation("Accept-Encoding", acceptEncoding));
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(expected, response.Content.Headers.ContentEncoding.SingleOrDefault());
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        var decoded = expected switch
        {
            "gzip" => Decompress(body, s => new GZipStream(s, CompressionMode.Decompress)),
            "br" => Decompress(body, s => new BrotliStream(s, CompressionMode.Decompress)),
            _ => body,
        };
        Assert.Equal(await plain.Content.ReadAsByteArrayAsync(), decoded);
        if (expected is not null)
            Assert.NotEqual(plain.Headers.ETag, response.Headers.ETag);
    }

    private static byte[] Decompress(byte[] body, Func<Stream, Stream> decompressor)
    {
        using var output = new MemoryStream();
        using (var stream = decompressor(new MemoryStream(body)))
            stream.CopyTo(output);
        return output.ToArray();
    }

    [Fact]
    public async Task IfModifiedSinceGets304AndCacheControlIsSent()
    {
        using var first = await GetAsync("sections/technology/rss");
        using var second = await GetAsync("sections/technology/rss", h => h.IfModifiedSince = first.Content.Headers.LastModified);

        Assert.Equal("public, max-age=300", first.Headers.CacheControl?.ToString());
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
    }

    [Fact]
    public async Task JsonFeedIsServedAsFeedJson()
    {
        using var response = await GetAsync("sections/technology/json");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal("application/feed+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("https://jsonfeed.org/version/1.1", json.RootElement.GetProperty("version").GetString());
        Assert.Equal(5, json.RootElement.GetProperty("items").GetArrayLength());
        Assert.StartsWith(_host.Client.BaseAddress!.AbsoluteUri + "sections/technology/json?before=", json.RootElement.GetProperty("next_url").GetString());
    }

    [Theory]
    [InlineData("atom")]
    [InlineData("rss")]
    public async Task ReadersCanWalkTheWholeArchiveThroughNextLinks(string format)
    {
        var seen = new List<string>();
        string? next = $"sections/international/{format}";
        var pages = 0;
        while (next is not null && pages++ < 20)
        {
            var xml = XDocument.Parse(await _host.Client.GetStringAsync(next));
            seen.AddRange(xml.Descendants().Where(e => e.Name.LocalName is "guid" || (e.Name.LocalName == "id" && e.Parent?.Name.LocalName == "entry")).Select(e => e.Value));
            next = xml.Descendants().FirstOrDefault(e => e.Name.LocalName == "link" && (string?)e.Attribute("rel") == "next")?.Attribute("href")?.Value;
        }

        Assert.Equal(3, pages); // 15 stories, 5 a page
        Assert.Equal(15, seen.Count);
        Assert.Equal(15, seen.Distinct().Count());
    }

    [Fact]
    public async Task ABadCursorIsABadRequest()
    {
        using var response = await GetAsync("sections/international/atom?before=yesterday");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("?before=MS.ID", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OpmlListsEverySectionFeed()
    {
        using var response = await GetAsync("sections.opml");
        var opml = XDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal("text/x-opml", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(
            [_host.Client.BaseAddress + "sections/international/rss", _host.Client.BaseAddress + "sections/technology/rss"],
            opml.Descendants("outline").Select(o => (string)o.Attribute("xmlUrl")!));
    }

    [Fact]
    public async Task TheIndexAdvertisesAllThreeFormats()
    {
        var html = await _host.Client.GetStringAsync("");

        // Read as a reader's autodiscovery reads the page: the encoder may spell '+' as "&#x2B;".
        var feeds = ParsedPage.Parse(html).AlternateFeeds;
        Assert.Equal(["application/rss+xml", "application/atom+xml", "application/feed+json"], feeds.Select(feed => feed.Type).Distinct());
        Assert.Contains(feeds, feed => feed.Type == "application/feed+json" && feed.Href.EndsWith("sections/technology/json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ChangingRulesChangesTheFeedWithoutRefetching()
    {
        var before = SyndicationFeed.Load(XmlReader.Create(await _host.Client.GetStreamAsync("sections/technology/atom")));
        var requests = _sources.RequestCount("/tech.rss");

        // A rule that keeps only reviews, saved while the service runs.
        await File.WriteAllTextAsync(_host.ConfigPath, JsonSerializer.Serialize(new
        {
            sections = new object[]
            {
                Sections[0],
                new { id = "technology", title = "Technology", description = "Reviews only", include = new { categories = new[] { "Reviews" } } },
            },
            sources = Sources,
            publishing = new { itemsPerFeed = 5 },
            fetching = FeedsTestHost.LoopbackFetching,
        }));
        var deadline = DateTime.UtcNow.AddSeconds(5);
        SyndicationFeed after;
        do
        {
            await Task.Delay(200);
            after = SyndicationFeed.Load(XmlReader.Create(await _host.Client.GetStreamAsync("sections/technology/atom")));
        }
        while (after.Items.Count() != 1 && DateTime.UtcNow < deadline);

        Assert.Equal(5, before.Items.Count());
        Assert.Equal(["Review: the Arden Fold 2 is a better phone than it is a tablet"], after.Items.Select(i => i.Title.Text));
        Assert.Equal(requests, _sources.RequestCount("/tech.rss"));
    }

    [Fact]
    public async Task AConfiguredHubIsAdvertisedAndPingedWhenASectionChanges()
    {
        var hub = _sources.ServeHub("/hub");
        await using var host = await StartHostAsync(new { baseUrl = "https://news.example.org/", hub = hub.AbsoluteUri });

        using var response = await host.Client.GetAsync("sections/technology/atom");
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (_sources.Posts.Count < 6 && DateTime.UtcNow < deadline)
            await Task.Delay(100);

        Assert.Contains($"<{hub.AbsoluteUri}>; rel=\"hub\"", response.Headers.GetValues("Link").Single());
        Assert.Contains("<https://news.example.org/sections/technology/atom>; rel=\"self\"", response.Headers.GetValues("Link").Single());
        var topics = _sources.Posts.Where(p => p.Path == "/hub").Select(p => WebUtility.UrlDecode(p.Body)).ToList();
        Assert.Contains("hub.mode=publish&hub.url=https://news.example.org/sections/technology/atom", topics);
        Assert.Contains("hub.mode=publish&hub.url=https://news.example.org/sections/international/rss", topics);
    }

    [Fact]
    public async Task AHubAddedByAConfigEditIsPingedForEverySection()
    {
        // Started without a hub: the ping job is not scheduled at all, so it cannot run while nothing is to be pinged.
        var hub = _sources.ServeHub("/hub");
        await File.WriteAllTextAsync(_host.ConfigPath, JsonSerializer.Serialize(new
        {
            sections = Sections,
            sources = Sources,
            publishing = new { itemsPerFeed = 5, baseUrl = "https://news.example.org/", hub = hub.AbsoluteUri },
            fetching = FeedsTestHost.LoopbackFetching,
        }));

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (_sources.Posts.Count(p => p.Path == "/hub") < 6 && DateTime.UtcNow < deadline)
            await Task.Delay(100);

        var topics = _sources.Posts.Where(p => p.Path == "/hub").Select(p => WebUtility.UrlDecode(p.Body)).ToList();
        Assert.Contains("hub.mode=publish&hub.url=https://news.example.org/sections/technology/atom", topics);
        Assert.Contains("hub.mode=publish&hub.url=https://news.example.org/sections/international/rss", topics);
    }
}

/// <summary>The same tests with the service storing in PostgreSQL.</summary>
public sealed class PostgresPublishingEndToEndTests : PublishingEndToEndTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}
