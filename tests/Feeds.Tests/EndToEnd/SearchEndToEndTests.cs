using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Feeds.Service.Scheduling;
using Feeds.Tests.Support;
using Quartz;

namespace Feeds.Tests.EndToEnd;

/// <summary>
/// Search, search feeds and related articles as readers meet them: the real service over loopback sources. On SQLite;
/// <see cref="PostgresSearchEndToEndTests"/> runs the same on PostgreSQL.
/// </summary>
public class SearchEndToEndTests : IAsyncLifetime
{
    protected virtual StoreKind Store => StoreKind.Sqlite;

    private static readonly XNamespace AtomNs = "http://www.w3.org/2005/Atom";
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private LoopbackSourceServer _sources = null!;
    private FeedsTestHost _host = null!;

    private static readonly (string Source, string Key, string Title, string Summary, TimeSpan Age)[] News =
    [
        ("wire", "w1", "Volcano erupts near Reykjavik airport", "Flights cancelled as ash cloud spreads over Iceland.", TimeSpan.FromHours(1)),
        ("wire", "w2", "Ash cloud from Iceland volcano grounds flights", "Airlines cancel routes over the north Atlantic.", TimeSpan.FromHours(2)),
        ("wire", "w3", "Reykjavik airport reopens after volcano eruption", "The runway was cleared of ash overnight.", TimeSpan.FromHours(3)),
        ("wire", "w4", "Football results from the weekend", "The league table after the weekend.", TimeSpan.FromHours(4)),
        ("wire", "w5", "An old volcano story from two years ago", "Archive.", TimeSpan.FromDays(730)),
        // Another volcano, not a report of the eruption: it names no place or figure the wire's reports name, so it is a
        // story of its own (Normalization/SameStory), related to them by its words.
        ("desk", "d1", "Hawaii volcano observatory raises its alert level", "Scientists explain the ash forecasts.", TimeSpan.FromMinutes(30)),
        ("desk", "d2", "Election night: exit poll shows a close race", "Polls closed at ten.", TimeSpan.FromHours(5)),
        ("sports", "s1", "Volcano FC wins the cup final", "A late goal.", TimeSpan.FromHours(1.5)),
        ("sports", "s2", "Storm delays the cup final", "Kick-off moved to Sunday.", TimeSpan.FromHours(2.5)),
    ];

    private static readonly object[] Sections =
    [
        new { id = "world", title = "World", description = "World news" },
        new { id = "sport", title = "Sport", description = "Sport" },
        new { id = "eruptions", title = "Eruptions", description = "Volcanoes, not football", include = new { query = "volcano -fc" } },
    ];

    public async Task InitializeAsync()
    {
        _sources = await LoopbackSourceServer.StartAsync();
        foreach (var source in News.Select(n => n.Source).Distinct())
            _sources.Serve($"/{source}.rss", Rss(source));
        object[] sources =
        [
            new { id = "wire", url = new Uri(_sources.BaseUri, "wire.rss").AbsoluteUri, sections = new[] { "world", "eruptions" } },
            new { id = "desk", url = new Uri(_sources.BaseUri, "desk.rss").AbsoluteUri, sections = new[] { "world", "eruptions" } },
            new { id = "sports", url = new Uri(_sources.BaseUri, "sports.rss").AbsoluteUri, sections = new[] { "sport", "eruptions" } },
        ];
        var started = DateTimeOffset.UtcNow;
        _host = await FeedsTestHost.StartAsync(Sections, sources, new { itemsPerFeed = 2 }, store: Store);
        await _host.WaitForPollsAsync(3, started);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _sources.DisposeAsync();
    }

    private static byte[] Rss(string source)
    {
        var items = News.Where(n => n.Source == source).Select(n => new XElement("item",
            new XElement("title", n.Title),
            new XElement("link", $"https://{source}.example.com/{n.Key}"),
            new XElement("guid", $"https://{source}.example.com/{n.Key}"),
            new XElement("description", n.Summary),
            new XElement("pubDate", (Now - n.Age).ToString("R", CultureInfo.InvariantCulture))));
        var rss = new XElement("rss", new XAttribute("version", "2.0"),
            new XElement("channel", new XElement("title", $"The {source}"), new XElement("link", $"https://{source}.example.com/"),
                new XElement("description", source), items));
        return Encoding.UTF8.GetBytes(rss.ToString());
    }

    private static string Link(string key) => $"https://{News.Single(n => n.Key == key).Source}.example.com/{key}";

    private static string KeyOf(string link) => link[(link.LastIndexOf('/') + 1)..];

    /// <summary>The keys of every entry of a search feed, following its next links.</summary>
    private async Task<List<string>> WalkAsync(string first)
    {
        var keys = new List<string>();
        string? next = first;
        for (var pages = 0; next is not null && pages < 10; pages++)
        {
            var atom = XDocument.Parse(await _host.Client.GetStringAsync(next));
            keys.AddRange(atom.Descendants(AtomNs + "entry").Select(e => KeyOf(e.Elements(AtomNs + "link").First(l => (string?)l.Attribute("rel") == "alternate").Attribute("href")!.Value)));
            next = atom.Root!.Elements(AtomNs + "link").FirstOrDefault(l => (string?)l.Attribute("rel") == "next")?.Attribute("href")?.Value;
        }
        return keys;
    }

    [Fact]
    public async Task ASearchFeedAnswersInEveryFormatWithTheMatchingItems()
    {
        var atom = XDocument.Parse(await _host.Client.GetStringAsync("search/atom?q=reykjavik+airport"));
        var rss = XDocument.Parse(await _host.Client.GetStringAsync("search/rss?q=reykjavik+airport"));
        using var json = JsonDocument.Parse(await _host.Client.GetStringAsync("search/json?q=reykjavik+airport"));
        var html = await _host.Client.GetStringAsync("search?q=reykjavik+airport");

        Assert.Equal(["Reykjavik airport reopens after volcano eruption", "Volcano erupts near Reykjavik airport"],
            atom.Descendants(AtomNs + "entry").Select(e => e.Element(AtomNs + "title")!.Value).Order());
        Assert.Equal("Search: reykjavik airport", atom.Root!.Element(AtomNs + "title")!.Value);
        Assert.Equal(2, rss.Descendants("item").Count());
        Assert.Equal(2, json.RootElement.GetProperty("items").GetArrayLength());
        Assert.Contains("Volcano erupts near Reykjavik airport", html);
        Assert.Contains(ParsedPage.Parse(html).AlternateFeeds, feed => Uri.UnescapeDataString(feed.Href).EndsWith("search/atom?q=reykjavik airport", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WordsPhrasesExclusionsAndFiltersNarrowTheFeed()
    {
        Assert.Equal(["d1", "s1", "w1", "w2", "w3", "w5"], (await WalkAsync("search/atom?q=volcano")).Order());
        Assert.Equal(["d2"], await WalkAsync("search/atom?q=%22exit+poll%22"));
        Assert.Equal(["d1", "w1", "w2", "w3", "w5"], (await WalkAsync("search/atom?q=volcano+-fc")).Order());
        Assert.Equal(["s1"], await WalkAsync("search/atom?q=volcano+section:sport"));
        Assert.Equal(["d1"], await WalkAsync("search/atom?q=volcano+source:desk"));
    }

    [Fact]
    public async Task ASearchFeedPagesThroughEveryMatchOnceNewestStoredFirst()
    {
        var atom = XDocument.Parse(await _host.Client.GetStringAsync("search/atom?q=volcano"));
        var keys = await WalkAsync("search/atom?q=volcano");
        var second = atom.Root!.Elements(AtomNs + "link").Single(l => (string?)l.Attribute("rel") == "next").Attribute("href")!.Value;
        var secondPage = XDocument.Parse(await _host.Client.GetStringAsync(second));
        var previous = secondPage.Root!.Elements(AtomNs + "link").Single(l => (string?)l.Attribute("rel") == "previous").Attribute("href")!.Value;
        var backAgain = XDocument.Parse(await _host.Client.GetStringAsync(previous));

        Assert.Equal(2, atom.Descendants(AtomNs + "entry").Count());
        Assert.Equal(6, keys.Count);
        Assert.Equal(6, keys.Distinct().Count());
        Assert.Equal(atom.Descendants(AtomNs + "id").Select(e => e.Value), backAgain.Descendants(AtomNs + "id").Select(e => e.Value));
    }

    [Fact]
    public async Task ASearchFeedIsCachedOneFeedPerSearchAndAnswers304ToItsETag()
    {
        using var first = await _host.Client.GetAsync("search/rss?q=Volcano+%20ASH");
        using var otherSpelling = await _host.Client.GetAsync("search/rss?q=volcano+ash");
        using var request = new HttpRequestMessage(HttpMethod.Get, "search/rss?q=volcano+ash");
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var again = await _host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("public, max-age=300", first.Headers.CacheControl?.ToString());
        Assert.Equal(first.Headers.ETag, otherSpelling.Headers.ETag);
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
    }

    [Theory]
    [InlineData("search/atom?q=", "empty")]
    [InlineData("search/atom?q=volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash+volcano+ash", "at most 512 are searched")]
    [InlineData("search/atom", "empty")]
    [InlineData("search/rss?q=%22volcano", "not closed")]
    [InlineData("search/json?q=*+%5E+%3A+(+)+-", "no words to find")]
    [InlineData("search/atom?q=-volcano", "nothing to find")]
    [InlineData("search/atom?q=title:volcano", "not a filter")]
    [InlineData("search/atom?q=volcano%00ash", "control character")]
    [InlineData("search/atom?q=volcano%22%3B+DROP+TABLE+items%3B+--", "not closed")]
    [InlineData("search/atom?q=volcano+source:nowhere", "names no configured source")]
    [InlineData("search/atom?q=volcano+section:nowhere", "names no section")]
    [InlineData("search/atom?q=volcano&before=yesterday", "cursor")]
    [InlineData("search?q=%22volcano", "not closed")]
    [InlineData("search?q=volcano%00", "control character")]
    public async Task ABadQueryIsA400ThatSaysWhatIsWrong(string path, string reason)
    {
        using var response = await _host.Client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        if (path.StartsWith("search?", StringComparison.Ordinal))
        {
            // The page: the search box again, with what is wrong above it.
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains(reason, WebUtility.HtmlDecode(body));
            return;
        }
        // A feed: RFC 9457 problem details, whose detail says what is wrong.
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Contains(reason, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task HostileQueriesAreAnsweredWithResultsOrA400NeverA500()
    {
        string[] hostile =
        [
            new('a', 10 * 1024), string.Concat(Enumerable.Repeat("\"", 501)), "*", "^", ":", "NEAR(volcano ash, 2)", "volcano*", "^volcano",
            "{title summary_text}: volcano", "title : volcano", "volcano + ash", "volcano AND OR NOT ash", "\"\"", "-\"\"",
            "volcano' OR '1'='1", "'; DROP TABLE items; --", "volcano\u0000", "volcano \uFFFD ash", "\u00e9ruption", "火山",
            "source:", "section:wire", "source:wire source:desk volcano", string.Join(' ', Enumerable.Repeat("volcano", 40)),
        ];
        foreach (var format in new[] { "search", "search/rss", "search/atom", "search/json" })
        {
            foreach (var query in hostile)
            {
                using var response = await _host.Client.GetAsync($"{format}?q={Uri.EscapeDataString(query)}");
                // A query past Kestrel's request line limit (8 KB) is refused by it with 414 URI Too Long before any of ours runs.
                Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest or HttpStatusCode.RequestUriTooLong,
                    $"{format}?q={query[..Math.Min(query.Length, 40)]} answered {(int)response.StatusCode}");
            }
            using var loneSurrogate = await _host.Client.GetAsync($"{format}?q=volcano%ED%A0%80ash");
            Assert.True(loneSurrogate.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{format} answered {(int)loneSurrogate.StatusCode} to a lone surrogate");
        }
        using var healthy = await _host.Client.GetAsync("search/atom?q=volcano");
        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
    }

    [Fact]
    public async Task TheSearchPageWithoutAQueryShowsTheSearchBox()
    {
        using var response = await _host.Client.GetAsync("search");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<form method=\"get\" action=\"/search\">", html);
        Assert.Contains("form-action 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task RetentionRemovesAnItemFromSearch()
    {
        Assert.Contains("w5", await WalkAsync("search/atom?q=archive"));

        var scheduler = await _host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await scheduler.TriggerJob(RetentionSchedule.Job);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        List<string> found;
        do
        {
            await Task.Delay(100);
            found = await WalkAsync("search/atom?q=archive");
        }
        while (found.Count > 0 && DateTime.UtcNow < deadline);

        Assert.Empty(found);
        Assert.Equal(["d1", "s1", "w1", "w2", "w3"], (await WalkAsync("search/atom?q=volcano")).Order());
    }

    [Fact]
    public async Task ACardShowsItsRelatedArticlesAndTheAtomEntryLinksThem()
    {
        var html = await _host.Client.GetStringAsync("sections/world");
        var atom = XDocument.Parse(await _host.Client.GetStringAsync("sections/world/atom"));
        var d1 = atom.Descendants(AtomNs + "entry").Single(e => e.Element(AtomNs + "title")!.Value == "Hawaii volcano observatory raises its alert level");
        var related = d1.Elements(AtomNs + "link").Where(l => (string?)l.Attribute("rel") == "related").Select(l => KeyOf(l.Attribute("href")!.Value)).ToList();

        var card = html.Split("<article").Single(article => article.Contains("Volcano erupts near Reykjavik airport</a></h2>", StringComparison.Ordinal));
        Assert.Contains("Related articles", card);
        Assert.Contains($"href=\"{Link("w3")}\"", card);
        Assert.DoesNotContain($"href=\"{Link("w4")}\"", card);
        Assert.InRange(related.Count, 1, 5);
        Assert.Contains("w2", related);
        Assert.DoesNotContain("d1", related);
        Assert.DoesNotContain("d2", related);
    }

    [Fact]
    public async Task ASectionsQueryRuleShowsOnlyTheItemsThatMatchIt()
    {
        var atom = XDocument.Parse(await _host.Client.GetStringAsync("sections/eruptions/atom"));
        var keys = new List<string>();
        string? next = "sections/eruptions/atom";
        while (next is not null)
        {
            var page = XDocument.Parse(await _host.Client.GetStringAsync(next));
            keys.AddRange(page.Descendants(AtomNs + "entry").Select(e => KeyOf(e.Elements(AtomNs + "link").First(l => (string?)l.Attribute("rel") == "alternate").Attribute("href")!.Value)));
            next = page.Root!.Elements(AtomNs + "link").FirstOrDefault(l => (string?)l.Attribute("rel") == "next")?.Attribute("href")?.Value;
        }

        Assert.Equal("Eruptions", atom.Root!.Element(AtomNs + "title")!.Value);
        Assert.Equal(["d1", "w1", "w2", "w3", "w5"], keys.Order());
    }
}

/// <summary>The same tests with the service storing in PostgreSQL.</summary>
public sealed class PostgresSearchEndToEndTests : SearchEndToEndTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}
