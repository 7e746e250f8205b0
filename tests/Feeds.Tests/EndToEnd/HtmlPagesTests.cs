using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Feeds.Tests.Support;

namespace Feeds.Tests.EndToEnd;

/// <summary>
/// The pages for people (<c>/</c>, <c>/sections/{id}</c>, <c>/status</c>) rendered through Razor components: text from
/// feeds and config encoded once wherever it lands, one layout and one set of security headers for every page. On SQLite;
/// <see cref="PostgresHtmlPagesTests"/> runs the same on PostgreSQL.
/// </summary>
public class HtmlPagesTests : IAsyncLifetime
{
    protected virtual StoreKind Store => StoreKind.Sqlite;

    /// <summary>Markup as text: a tag, a way out of an attribute into a tag with a handler, and an entity already spelled out.</summary>
    private const string Marker = """<script>alert(1)</script> "><img src=x onerror=alert(2)> &amp;""";

    private static readonly string[] HtmlPages = ["", "sections/hostile-news", "status"];

    private LoopbackSourceServer _sources = null!;
    private FeedsTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _sources = await LoopbackSourceServer.StartAsync();
        _sources.Serve("/wire.rss", FeedCarrying(Marker));
        var started = DateTimeOffset.UtcNow;
        _host = await FeedsTestHost.StartAsync(
            new[] { new { id = "hostile-news", title = "Title " + Marker, description = "Description " + Marker } },
            new[] { new { id = "wire", url = new Uri(_sources.BaseUri, "wire.rss").AbsoluteUri, sections = new[] { "hostile-news" } } },
            store: Store);
        await _host.WaitForPollsAsync(1, started);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _sources.DisposeAsync();
    }

    /// <summary>
    /// An RSS item whose title, author, category and teaser hold <paramref name="text"/>, and a second item beside it.
    /// Normalization takes tags out of these (a tag in plain text is markup to many readers) and keeps the rest as text.
    /// </summary>
    private static byte[] FeedCarrying(string text)
    {
        var xml = (string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
        return Encoding.UTF8.GetBytes($"""
            <?xml version="1.0" encoding="utf-8"?>
            <rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>{xml("Wire " + text)}</title><link>https://wire.example/</link><description>d</description>
            <item><title>{xml("Story " + text + " 1 < 2")}</title><link>https://wire.example/1</link><guid>1</guid><pubDate>{DateTimeOffset.UtcNow.AddHours(-1):R}</pubDate>
              <dc:creator>{xml("Eve " + text)}</dc:creator><category>{xml("Tag " + text)}</category><description>{xml($"<p>Teaser {WebUtility.HtmlEncode(text)}</p>")}</description></item>
            <item><title>Second story</title><link>https://wire.example/2</link><guid>2</guid><pubDate>{DateTimeOffset.UtcNow.AddHours(-2):R}</pubDate></item>
            </channel></rss>
            """);
    }

    private async Task<(HttpResponseMessage Response, ParsedPage Page)> GetAsync(string path)
    {
        var response = await _host.Client.GetAsync(path);
        return (response, ParsedPage.Parse(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task ConfigTextWithMarkupIsEncodedExactlyOnceOnEveryPage()
    {
        // Config text reaches the pages as written. Where it must show, decoded: the section's title and description
        // on the index (and the title in the feed links' titles), the document title on the section page, the
        // sections table on the status page.
        var expected = new Dictionary<string, string[]>
        {
            [""] = ["Title " + Marker, "Description " + Marker, "Title " + Marker + " (RSS)"],
            ["sections/hostile-news"] = ["Title " + Marker + " — Feeds", "Description " + Marker],
            ["status"] = ["Title " + Marker],
        };
        var encodedOnce = HtmlEncoder.Default.Encode(Marker);

        foreach (var path in HtmlPages)
        {
            var (response, page) = await GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Empty(page.ScriptCarriers);
            var texts = page.Texts.ToList();
            Assert.All(expected[path], text => Assert.True(texts.Any(t => t.Contains(text, StringComparison.Ordinal)), $"/{path} does not show \"{text}\""));
            // Every occurrence in the bytes is the once-encoded form, and each decodes to the marker: none raw, none twice.
            var shown = texts.Sum(text => Occurrences(text, Marker));
            Assert.True(shown >= expected[path].Length, $"/{path} shows the marker {shown} times");
            Assert.Equal(shown, Occurrences(page.Html, encodedOnce));
            Assert.Equal(0, Occurrences(page.Html, HtmlEncoder.Default.Encode(encodedOnce)));
            Assert.DoesNotContain("<script", page.Html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<img src=x", page.Html, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task FeedTextWithMarkupIsEncodedExactlyOnceOnTheIndexAndSectionPage()
    {
        // What the store kept of the marker, as the JSON Feed publishes it (plain JSON strings, no HTML encoding).
        using var json = JsonDocument.Parse(await _host.Client.GetStringAsync("sections/hostile-news/json"));
        var item = json.RootElement.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("url").GetString() == "https://wire.example/1");
        var title = item.GetProperty("title").GetString()!;
        var source = item.GetProperty("_feeds").GetProperty("source").GetString()!;
        var byline = "By " + item.GetProperty("authors")[0].GetProperty("name").GetString();
        var tag = item.GetProperty("tags")[0].GetString()!;
        var teaser = item.GetProperty("summary").GetString()!;
        // The precondition: what is left still holds characters that are markup in HTML, so the pages must encode them.
        Assert.All(new[] { title, source, byline, tag, teaser }, text => Assert.Contains("\"> &", text));
        Assert.Contains("&amp;", teaser);
        Assert.Contains("1 < 2", title);

        foreach (var (path, shown) in new[] { ("", new[] { title, source }), ("sections/hostile-news", new[] { title, source, byline, tag, teaser }) })
        {
            var (response, page) = await GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Empty(page.ScriptCarriers);
            var texts = page.Texts.ToList();
            foreach (var text in shown)
            {
                Assert.True(texts.Any(t => t.Contains(text, StringComparison.Ordinal)), $"/{path} does not show \"{text}\"");
                Assert.Contains(HtmlEncoder.Default.Encode(text), page.Html);
                Assert.DoesNotContain(HtmlEncoder.Default.Encode(HtmlEncoder.Default.Encode(text)), page.Html);
            }
        }
    }

    [Fact]
    public async Task IndexSectionAndStatusPagesShareOneLayoutAndTheSameHeaders()
    {
        var pages = new List<(string Path, HttpResponseMessage Response, ParsedPage Page)>();
        foreach (var path in HtmlPages)
        {
            var (response, page) = await GetAsync(path);
            pages.Add((path, response, page));
        }

        string Frame(ParsedPage page) => string.Join("\n",
            page.Document.DocumentElement.GetAttribute("lang"),
            page.Document.Head!.QuerySelector("meta[charset]")!.OuterHtml,
            page.Document.Head.QuerySelector("meta[name=viewport]")!.OuterHtml,
            page.Document.Head.QuerySelector("style")!.TextContent,
            page.Document.Body!.QuerySelector("nav.site")!.OuterHtml,
            page.Document.Body.QuerySelector("body > footer")!.OuterHtml);
        var frames = pages.Select(p => Frame(p.Page)).ToList();
        Assert.All(frames, frame => Assert.Equal(frames[0], frame));
        Assert.Contains("<a href=\"/status\">Status</a>", frames[0]);
        Assert.All(pages, p => Assert.Single(p.Page.Document.QuerySelectorAll("main")));
        Assert.All(pages, p => Assert.Single(p.Page.Document.QuerySelectorAll("h1")));

        foreach (var (path, response, _) in pages)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
            // No page may run script; only the status page's filter form may submit, and only here.
            var formAction = path == "status" ? "'self'" : "'none'";
            Assert.Equal(
                $"default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'; base-uri 'none'; form-action {formAction}; frame-ancestors 'none'",
                response.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        }
        // The status page is the operator's: their client alone may keep it, and it asks again each time.
        var statusCaching = pages.Single(p => p.Path == "status").Response.Headers.CacheControl!;
        Assert.Equal((true, true, false), (statusCaching.Private, statusCaching.NoCache, statusCaching.Public));

        // The index and the section page advertise the section's three feeds to readers; the status page none.
        var feeds = new[] { ("application/rss+xml", "rss"), ("application/atom+xml", "atom"), ("application/feed+json", "json") }
            .Select(f => (f.Item1, new Uri(_host.Client.BaseAddress!, "sections/hostile-news/" + f.Item2).AbsoluteUri)).ToList();
        Assert.Equal(feeds, pages[0].Page.AlternateFeeds);
        Assert.Equal(feeds, pages[1].Page.AlternateFeeds);
        Assert.Empty(pages[2].Page.AlternateFeeds);
    }

    [Fact]
    public async Task AnUnknownSectionPageIs404AndAnUnreadableCursorIs400()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Client.GetAsync("sections/sports")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _host.Client.GetAsync("sections/hostile-news?before=yesterday")).StatusCode);
    }

    private static int Occurrences(string text, string value) => Regex.Matches(text, Regex.Escape(value)).Count;
}

/// <summary>The same tests with the service storing in PostgreSQL.</summary>
public sealed class PostgresHtmlPagesTests : HtmlPagesTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}
