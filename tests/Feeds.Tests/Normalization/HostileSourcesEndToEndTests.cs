using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Xml;
using Dapper;
using Feeds.Core.Normalization;
using Feeds.Core.Storage;
using Feeds.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Feeds.Tests.Normalization;

/// <summary>
/// The edge through the real service (issue 11): hostile sources of each kind normalization answers for, served from
/// a loopback server beside an ordinary one. Every poll ends as a recorded outcome, what is stored obeys the
/// invariants, and every page answers 200 with well-formed XML and JSON. One service for the whole class: the tests
/// only read.
/// </summary>
public sealed class HostileSourcesEndToEndTests(HostileSourcesEndToEndTests.Service service) : IClassFixture<HostileSourcesEndToEndTests.Service>
{
    private const int HugeDocumentItems = FeedNormalizer.MaxItemsPerDocument + 2_000;

    private readonly FeedsTestHost _host = service.Host;

    /// <summary>The loopback sources and the service that has polled each of them once.</summary>
    public sealed class Service : IAsyncLifetime
    {
        private LoopbackSourceServer _sources = null!;

        public FeedsTestHost Host { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            _sources = await LoopbackSourceServer.StartAsync();
            foreach (var (id, body) in Documents)
                _sources.Serve("/" + id, body);
            var started = DateTimeOffset.UtcNow;
            Host = await FeedsTestHost.StartAsync(
                new object[] { new { id = "all", title = "All", description = "Every source" } },
                Documents.Keys.Select(id => new { id, url = new Uri(_sources.BaseUri, id).AbsoluteUri, sections = new[] { "all" } }).ToArray());
            await Host.WaitForPollsAsync(Documents.Count, started, TimeSpan.FromSeconds(120));
        }

        public async Task DisposeAsync()
        {
            await Host.DisposeAsync();
            await _sources.DisposeAsync();
        }
    }

    private static readonly Dictionary<string, byte[]> Documents = new()
    {
        ["ordinary"] = TestFiles.SampleBytes("world-wire.rss"),
        ["dates"] = Rss(
            Item("year-1", "Year one", "<pubDate>0001-01-01T00:00:00Z</pubDate>"),
            Item("year-1-east", "Year one, east of Greenwich", "<pubDate>0001-01-01T00:00:00+05:00</pubDate>"),
            Item("year-1800", "Eighteen hundred", "<pubDate>Wed, 01 Jan 1800 00:00:00 GMT</pubDate>"),
            Item("year-3000", "Three thousand", "<pubDate>3000-01-01T00:00:00Z</pubDate>"),
            Item("year-9999", "Nine nine nine nine", "<pubDate>9999-12-31T23:59:59Z</pubDate><atom:updated>9999-12-31T24:00:00Z</atom:updated>")),
        ["controls"] = Rss(
            Item("raw-nul", "Raw \0 NUL in the title", "<description>raw \0 NUL and \u0001 in the text</description>"),
            Item("references", "References &#1;&#x1B;&#xFFFE;&#xFFFF; in the title", "<description>&lt;p&gt;&amp;#1;&amp;#xFFFE;&lt;/p&gt;&#2;</description>")),
        ["markup"] = Rss(
            Item("script", "&lt;script&gt;alert(1)&lt;/script&gt;Script title"),
            Item("close-title", "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;Closing title"),
            Item("svg", "Vector &lt;svg onload=alert(1)&gt; title"),
            Item("long", string.Concat(Enumerable.Repeat("long title words ", 64 * 1024)))),
        ["urls"] = Encoding.UTF8.GetBytes("""
            <feed xmlns="http://www.w3.org/2005/Atom"><title>Urls</title><link href="javascript:alert(1)"/>
              <entry><id>js</id><title>Script urls</title><link href="javascript:alert(2)"/><link rel="enclosure" href="data:text/html,x" type="image/png"/>
                <author><name>Eve</name><uri>javascript:alert(3)</uri></author><content type="html">&lt;a href="javascript:alert(4)"&gt;x&lt;/a&gt;</content></entry>
            </feed>
            """),
        ["duplicates"] = Rss(
            Item("a", "A first", $"<link>https://example.com/a</link><pubDate>{DaysAgo(2):O}</pubDate>"),
            Item("a", "A second", $"<link>https://example.com/a</link><pubDate>{DaysAgo(1):O}</pubDate>"),
            Item("b", "B first", "<link>https://example.com/b</link>"),
            Item("b", "B second", "<link>https://example.com/b</link>"),
            Item("c", "C first", "<link>https://example.com/c</link>"),
            Item("c", "C second", "<link>https://example.com/c</link>"),
            Item("d", "D alone", "<link>https://example.com/d</link>")),
        ["plain-json"] = Encoding.UTF8.GetBytes("""{"title": "Not a feed", "items": [{"id": "1", "title": "x"}]}"""),
        ["huge"] = Rss(Enumerable.Range(0, HugeDocumentItems)
            .Select(i => Item($"huge-{i}", $"Huge item {i}", $"<pubDate>{DaysAgo(10).AddMinutes(i):O}</pubDate>")).ToArray()),
    };

    [Fact]
    public async Task EveryPollEndsAsARecordedOutcomeAndOnlyTheJsonThatIsNoFeedFails()
    {
        var states = (await _host.Services.GetRequiredService<IFeedStore>().GetSourceStatesAsync(CancellationToken.None)).ToDictionary(s => s.SourceId);

        Assert.All(Documents.Keys.Where(id => id != "plain-json"), id => Assert.Equal(PollOutcome.Updated, states[id].LastOutcome));
        Assert.Equal((PollOutcome.Failed, "NotAFeed"), (states["plain-json"].LastOutcome, states["plain-json"].LastErrorCategory));
    }

    [Fact]
    public async Task WhatIsStoredObeysTheInvariants()
    {
        var items = await StoredItemsAsync();
        var count = items.GroupBy(i => i.SourceId).ToDictionary(g => g.Key, g => g.Count());
        var window = (DateTimeOffset.UnixEpoch.ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeMilliseconds());

        Assert.Equal(4, count["duplicates"]);
        Assert.Equal(["A second", "B first", "C first", "D alone"], items.Where(i => i.SourceId == "duplicates").Select(i => i.Title).Order(StringComparer.Ordinal));
        Assert.Equal(FeedNormalizer.MaxItemsPerDocument, count["huge"]);
        Assert.DoesNotContain(items, i => i.Title == "Huge item 0"); // the oldest are the ones left out
        Assert.All(items.Where(i => i.SourceId == "dates"), i => Assert.Equal(1, i.DateIsEstimated));
        foreach (var item in items)
        {
            Assert.InRange(item.PublishedAt, window.Item1, window.Item2);
            Assert.InRange(item.Title.Length, 1, SafeText.MaxTitleLength);
            Assert.DoesNotMatch("<[A-Za-z/!?]", item.Title);
            Assert.All(new[] { item.Title, item.Guid, item.Link, item.SummaryHtml, item.SummaryText, item.ContentHtml, item.AuthorsJson, item.CategoriesJson, item.EnclosuresJson, item.ImageUrl }.OfType<string>(),
                text => Assert.True(NormalizationInvariants.IsXmlSafe(text), $"{item.SourceId}: {text[..Math.Min(80, text.Length)]}"));
            Assert.All(new[] { item.Link, item.ImageUrl }.OfType<string>(), url => Assert.StartsWith("http", url, StringComparison.Ordinal));
            Assert.DoesNotContain("javascript:", item.AuthorsJson + item.EnclosuresJson + item.ContentHtml + item.SummaryHtml, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("status")]
    [InlineData("sections/all")]
    [InlineData("sections/all/rss")]
    [InlineData("sections/all/atom")]
    [InlineData("sections/all/json")]
    public async Task EveryPageAnswersAndIsWellFormed(string path)
    {
        using var response = await _host.Client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("javascript:", body, StringComparison.OrdinalIgnoreCase);
        if (path.EndsWith("rss", StringComparison.Ordinal) || path.EndsWith("atom", StringComparison.Ordinal))
        {
            // A strict reader: XmlReaderSettings.CheckCharacters stays on.
            using var reader = XmlReader.Create(new StringReader(body), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "title")
                    Assert.True(reader.ReadElementContentAsString().Length <= SafeText.MaxTitleLength);
            }
        }
        if (path.EndsWith("json", StringComparison.Ordinal))
            Assert.All(JsonDocument.Parse(body).RootElement.GetProperty("items").EnumerateArray(),
                item => Assert.True(item.GetProperty("title").GetString()!.Length <= SafeText.MaxTitleLength));
    }

    [Fact]
    public async Task TheJsonStatusAnswersAndParses()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "status");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await _host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(Documents.Count, status.RootElement.GetProperty("sources").GetArrayLength());
    }

    private async Task<List<StoredRow>> StoredItemsAsync()
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _host.DatabasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync();
        return (await connection.QueryAsync<StoredRow>("""
            SELECT source_id AS SourceId, guid AS Guid, title AS Title, link AS Link, summary_html AS SummaryHtml, summary_text AS SummaryText,
                   content_html AS ContentHtml, authors_json AS AuthorsJson, categories_json AS CategoriesJson, enclosures_json AS EnclosuresJson,
                   image_url AS ImageUrl, published_at AS PublishedAt, date_is_estimated AS DateIsEstimated
            FROM items
            """)).ToList();
    }

    private sealed record StoredRow
    {
        public string SourceId { get; init; } = "";
        public string? Guid { get; init; }
        public string Title { get; init; } = "";
        public string? Link { get; init; }
        public string? SummaryHtml { get; init; }
        public string? SummaryText { get; init; }
        public string? ContentHtml { get; init; }
        public string AuthorsJson { get; init; } = "";
        public string CategoriesJson { get; init; } = "";
        public string EnclosuresJson { get; init; } = "";
        public string? ImageUrl { get; init; }
        public long PublishedAt { get; init; }
        public long DateIsEstimated { get; init; }
    }

    private static DateTimeOffset DaysAgo(int days) => DateTimeOffset.UtcNow.AddDays(-days);

    private static string Item(string guid, string title, string more = "") => $"<item><guid>{guid}</guid><title>{title}</title>{more}</item>";

    private static byte[] Rss(params string[] items) => Encoding.UTF8.GetBytes(
        $"""<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>Hostile</title><link>https://example.com/</link>{string.Concat(items)}</channel></rss>""");
}
