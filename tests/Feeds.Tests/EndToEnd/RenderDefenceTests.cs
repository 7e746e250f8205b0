using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Feeds.Core.Normalization;
using Feeds.Core.Storage;
using Feeds.Tests.Publishing;
using Feeds.Tests.Storage;
using Feeds.Tests.Support;

namespace Feeds.Tests.EndToEnd;

/// <summary>
/// No page of the running service fails because of what the store holds: rows written past normalization (an older
/// version, an editor) are repaired on the way out (<see cref="HandWrittenRowsRenderDefenceTests"/>), a row a writer still
/// refuses is left out and reported once, and a page that fails anyway shows on <c>/healthz</c> (<see cref="RenderDefenceTests"/>).
/// </summary>
public abstract class RenderDefence : IAsyncLifetime
{
    private LoopbackSourceServer _sources = null!;

    public async Task InitializeAsync()
    {
        _sources = await LoopbackSourceServer.StartAsync();
        _sources.Serve("/wire.rss", TestFiles.SampleBytes("world-wire.rss"));
        // Fails, so its poll leaves the hand-written columns of its source row as they are.
        _sources.ServeStatus("/hostile.rss", 404);
    }

    public async Task DisposeAsync() => await _sources.DisposeAsync();

    protected object[] Sources() =>
    [
        new { id = "wire", url = new Uri(_sources.BaseUri, "wire.rss").AbsoluteUri, sections = new[] { "world" } },
        new { id = "hostile", url = new Uri(_sources.BaseUri, "hostile.rss").AbsoluteUri, sections = new[] { "world", "hostile" } },
    ];

    protected static readonly object[] Sections =
    [
        new { id = "world", title = "World", description = "World news" },
        new { id = "hostile", title = "Hostile", description = "Only the hand-written rows" },
    ];

    // Small pages, so that paging crosses the rows with impossible dates.
    protected static readonly object Publishing = new { itemsPerFeed = 4 };

    protected static async Task<(string Path, HttpResponseMessage Response, string Body)> GetAsync(HttpClient client, string path, bool json = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (json)
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var response = await client.SendAsync(request);
        return (path, response, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A feed's first page and every older one, by its RFC 5005 "next" links (JSON Feed: next_url).</summary>
    protected static async Task<List<(string Path, HttpResponseMessage Response, string Body)>> WalkFeedAsync(HttpClient client, string path)
    {
        var pages = new List<(string Path, HttpResponseMessage Response, string Body)>();
        string? next = path;
        while (next is not null && pages.Count < 50)
        {
            var page = await GetAsync(client, next);
            pages.Add(page);
            if (page.Response.StatusCode != HttpStatusCode.OK)
                break;
            next = NextLink(page.Body, path.EndsWith("json", StringComparison.Ordinal)) is { } url ? new Uri(url).PathAndQuery.TrimStart('/') : null;
        }
        return pages;
    }

    private static string? NextLink(string body, bool json)
    {
        if (json)
            return JsonDocument.Parse(body).RootElement.TryGetProperty("next_url", out var next) ? next.GetString() : null;
        return XDocument.Parse(body).Descendants(XName.Get("link", "http://www.w3.org/2005/Atom"))
            .FirstOrDefault(link => (string?)link.Attribute("rel") == "next")?.Attribute("href")?.Value;
    }

    /// <summary>The item titles a page shows: RSS and Atom titles, JSON Feed titles, the headlines of the HTML pages.</summary>
    protected static IEnumerable<string> Titles(HttpResponseMessage response, string body) => response.Content.Headers.ContentType?.MediaType switch
    {
        "application/rss+xml" => XDocument.Parse(body).Descendants("item").Select(item => item.Element("title")!.Value),
        "application/atom+xml" => XDocument.Parse(body).Descendants(XName.Get("entry", "http://www.w3.org/2005/Atom")).Select(e => e.Element(XName.Get("title", "http://www.w3.org/2005/Atom"))!.Value),
        "application/feed+json" => JsonDocument.Parse(body).RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("title").GetString()!),
        "text/html" => System.Text.RegularExpressions.Regex.Matches(body, "<h2><a href=\"[^\"]*\">([^<]*)</a></h2>|<li><a href=\"[^\"]*\">([^<]*)</a> <span")
            .Select(m => WebUtility.HtmlDecode(m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value)),
        _ => [],
    };
}

/// <summary>
/// A fault planted in the store the service reads: a row a writer refuses, a section that cannot be read. On SQLite;
/// <see cref="PostgresRenderDefenceTests"/> runs the same on PostgreSQL.
/// </summary>
public class RenderDefenceTests : RenderDefence
{
    protected virtual StoreKind Store => StoreKind.Sqlite;

    [Fact]
    public async Task ARowAWriterRefusesIsLeftOutOfItsPageLoggedOnceAndMakesHealthDegraded()
    {
        var started = DateTimeOffset.UtcNow;
        await using var host = await FeedsTestHost.StartAsync(Sections, Sources(), Publishing, store: Store, replaceServices:
            services => services.Decorate<IPublishingStore>(inner => new FaultyStore(inner)
            {
                // Stands for a guard that missed something: a title XmlWriter refuses.
                Corrupt = item => item.ItemKey == "refused" ? item with { Title = "Refused \u0000 title" } : item,
            }));
        await host.WaitForPollsAsync(2, started);
        await using (var connection = await host.OpenDatabaseAsync())
            await HandWrittenRows.InsertItemAsync(connection, "hostile", "refused", new Dictionary<string, object?> { ["title"] = "Refused" }, DateTimeOffset.UtcNow);

        var responses = new List<(string Path, HttpResponseMessage Response, string Body)>();
        foreach (var path in new[] { "sections/world/rss", "sections/world/atom", "sections/world/rss", "sections/hostile/atom", "sections/hostile/rss", "sections/world/rss" })
            responses.Add(await GetAsync(host.Client, path));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.Response.StatusCode));
        Assert.All(responses, r => Assert.DoesNotContain("Refused", r.Body));
        Assert.Contains("Harbor", responses[0].Body);
        Assert.Single(host.Logs, line => line.Contains("Item refused of hostile cannot be rendered and is left out", StringComparison.Ordinal));
        var health = JsonDocument.Parse((await GetAsync(host.Client, "healthz")).Body).RootElement;
        Assert.Equal("Degraded", health.GetProperty("status").GetString());
        Assert.Contains("left out item refused of hostile", health.GetProperty("checks").GetProperty("pages").GetProperty("Description").GetString());
    }

    [Fact]
    public async Task AnEntryThatCannotBeRenderedIsLeftOutOfItsHtmlPageLoggedOnceAndMakesHealthDegraded()
    {
        var started = DateTimeOffset.UtcNow;
        await using var host = await FeedsTestHost.StartAsync(Sections, Sources(), Publishing, store: Store, replaceServices:
            services => services.Decorate<IPublishingStore>(inner => new FaultyStore(inner)
            {
                // Stands for a guard that missed something: an author the byline cannot be built from.
                Corrupt = item => item.ItemKey == "refused" ? item with { Authors = [null!] } : item,
            }));
        await host.WaitForPollsAsync(2, started);
        await using (var connection = await host.OpenDatabaseAsync())
            await HandWrittenRows.InsertItemAsync(connection, "hostile", "refused", new Dictionary<string, object?> { ["title"] = "Refused story" }, DateTimeOffset.UtcNow);

        var pages = new List<(string Path, HttpResponseMessage Response, string Body)>();
        foreach (var path in new[] { "sections/hostile", "sections/world", "sections/hostile" })
            pages.Add(await GetAsync(host.Client, path));

        Assert.All(pages, page => Assert.Equal(HttpStatusCode.OK, page.Response.StatusCode));
        Assert.All(pages, page => Assert.DoesNotContain("Refused story", page.Body));
        // The rest of each page stands, whole: every other entry, and the page closed after them.
        Assert.All(pages, page => Assert.EndsWith("</html>", page.Body.TrimEnd()));
        // The world page's first 4 entries hold the refused item (the newest): 3 are shown, each whole.
        Assert.Equal(3, Regex.Matches(pages[1].Body, "<article ").Count);
        Assert.Equal(3, Regex.Matches(pages[1].Body, "</article>").Count);
        Assert.DoesNotContain("<article", pages[0].Body);
        Assert.Single(host.Logs, line => line.Contains("Item refused of hostile cannot be rendered and is left out", StringComparison.Ordinal));
        var health = JsonDocument.Parse((await GetAsync(host.Client, "healthz")).Body).RootElement;
        Assert.Equal("Degraded", health.GetProperty("status").GetString());
        Assert.Contains("left out item refused of hostile: NullReferenceException", health.GetProperty("checks").GetProperty("pages").GetProperty("Description").GetString());
    }

    [Fact]
    public async Task ASectionThatCannotBeReadFailsAloneAndIsReported()
    {
        var started = DateTimeOffset.UtcNow;
        await using var host = await FeedsTestHost.StartAsync(Sections, Sources(), Publishing, store: Store, replaceServices:
            services => services.Decorate<IPublishingStore>(inner => new FaultyStore(inner)
            {
                // Stands for a bug that fails every read of one section: its only source is "hostile".
                FailReadsOf = sourceIds => sourceIds.Count == 1 && sourceIds.Contains("hostile"),
            }));
        await host.WaitForPollsAsync(2, started);

        var index = await GetAsync(host.Client, "");
        var status = await GetAsync(host.Client, "status", json: true);
        var page = await GetAsync(host.Client, "sections/hostile");
        var feed = await GetAsync(host.Client, "sections/hostile/rss");
        var health = await GetAsync(host.Client, "healthz");

        Assert.Equal(HttpStatusCode.OK, index.Response.StatusCode);
        Assert.Contains("Harbor", index.Body);
        Assert.Contains("This section cannot be shown right now", index.Body);
        Assert.Equal(HttpStatusCode.OK, status.Response.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, page.Response.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, feed.Response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.Response.StatusCode);
        var report = JsonDocument.Parse(health.Body).RootElement;
        Assert.Equal("Degraded", report.GetProperty("status").GetString());
        Assert.Contains("failed: InvalidOperationException: the hostile section cannot be read", report.GetProperty("checks").GetProperty("pages").GetProperty("Description").GetString());
        Assert.Contains(host.Logs, line => line.Contains("The page /sections/hostile could not be rendered", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnIndexWithASectionThatCannotBeReadIsNotKeptOnceTheSectionReadsAgain()
    {
        var started = DateTimeOffset.UtcNow;
        var failing = 1;
        await using var host = await FeedsTestHost.StartAsync(Sections, Sources(), Publishing, store: Store, replaceServices:
            services => services.Decorate<IPublishingStore>(inner => new FaultyStore(inner)
            {
                // A passing fault (a locked file or a lost connection, say): nothing the service stores changes when it ends.
                FailReadsOf = sourceIds => Volatile.Read(ref failing) == 1 && sourceIds.Count == 1 && sourceIds.Contains("hostile"),
            }));
        await host.WaitForPollsAsync(2, started);

        var broken = await GetAsync(host.Client, "");
        Volatile.Write(ref failing, 0);
        // The first request after the fault may still get the index from before, while the new one renders.
        var mended = broken;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (mended.Body.Contains("This section cannot be shown right now", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            mended = await GetAsync(host.Client, "");
        }

        Assert.Contains("This section cannot be shown right now", broken.Body);
        Assert.Equal(HttpStatusCode.OK, mended.Response.StatusCode);
        Assert.DoesNotContain("This section cannot be shown right now", mended.Body);
        Assert.Contains("Harbor", mended.Body);
        Assert.NotEqual(broken.Response.Headers.ETag, mended.Response.Headers.ETag);
    }

    /// <summary>
    /// The store, with a fault a test plants: an item changed on its way out, or the reads of some sources failing.
    /// Stands for a bug, which is what the walls behind the store's own guard are for.
    /// </summary>
    private sealed class FaultyStore(IPublishingStore inner) : IPublishingStore
    {
        public Func<StoredItem, StoredItem> Corrupt { get; init; } = item => item;

        public Func<IReadOnlyCollection<string>, bool> FailReadsOf { get; init; } = _ => false;

        private IReadOnlyCollection<string> Checked(IReadOnlyCollection<string> sourceIds) =>
            FailReadsOf(sourceIds) ? throw new InvalidOperationException("the hostile section cannot be read") : sourceIds;

        public long GetSourceVersion(string sourceId) => inner.GetSourceVersion(sourceId);

        public long GetStoreVersion() => inner.GetStoreVersion();

        public async Task<IReadOnlyList<StoredItem>> GetItemsAsync(IReadOnlyCollection<string> sourceIds, ItemCursor cursor, int limit, CancellationToken cancellationToken) =>
            (await inner.GetItemsAsync(Checked(sourceIds), cursor, limit, cancellationToken)).Select(Corrupt).ToList();

        public async Task<IReadOnlyList<StoredItem>> GetStoryMembersAsync(IReadOnlyCollection<long> storyIds, CancellationToken cancellationToken) =>
            (await inner.GetStoryMembersAsync(storyIds, cancellationToken)).Select(Corrupt).ToList();

        public Task<IReadOnlyList<long>> GetLatestStoriesAsync(int minMembers, int limit, CancellationToken cancellationToken) =>
            inner.GetLatestStoriesAsync(minMembers, limit, cancellationToken);

        public Task<IReadOnlyList<(long StoryId, ItemChange Last)>> GetStoriesChangedAfterAsync(ItemChange after, int limit, CancellationToken cancellationToken) =>
            inner.GetStoriesChangedAfterAsync(after, limit, cancellationToken);

        public Task<ItemChange> GetLastChangeAsync(CancellationToken cancellationToken) => inner.GetLastChangeAsync(cancellationToken);
    }
}

/// <summary>The same tests with the service storing in PostgreSQL.</summary>
public sealed class PostgresRenderDefenceTests : RenderDefenceTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}

/// <summary>
/// Rows written straight into the database, past normalization, as an older version or an editor might have: every page
/// still answers whole. SQLite only: most of these rows cannot exist in PostgreSQL, whose text refuses NUL characters and
/// invalid UTF-8 (SQLite stores either as given).
/// </summary>
public sealed class HandWrittenRowsRenderDefenceTests : RenderDefence
{
    [Fact]
    public async Task EveryPageAnswersWholeWhateverTheStoreHolds()
    {
        var started = DateTimeOffset.UtcNow;
        await using var host = await FeedsTestHost.StartAsync(Sections, Sources(), Publishing);
        await host.WaitForPollsAsync(2, started);
        await WriteHostileRowsAsync(host.DatabasePath);

        var pages = new List<(string Path, HttpResponseMessage Response, string Body)>();
        foreach (var path in new[] { "", "status", "sections/world", "sections/hostile", "sections/world?before=9999999999999999.1" })
            pages.Add(await GetAsync(host.Client, path));
        pages.Add(await GetAsync(host.Client, "status", json: true));
        foreach (var section in new[] { "world", "hostile" })
        {
            foreach (var format in new[] { "rss", "atom", "json" })
                pages.AddRange(await WalkFeedAsync(host.Client, $"sections/{section}/{format}"));
        }

        Assert.All(pages, page => Assert.True(page.Response.StatusCode == HttpStatusCode.OK, $"/{page.Path} answered {(int)page.Response.StatusCode}: {page.Body[..Math.Min(300, page.Body.Length)]}"));
        Assert.All(pages, page => Assert.DoesNotContain("javascript:", page.Body, StringComparison.OrdinalIgnoreCase));
        foreach (var (path, response, body) in pages)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            var urls = mediaType switch
            {
                "application/rss+xml" or "application/atom+xml" => PublishedUrls.InXml(bytes),
                "application/feed+json" => PublishedUrls.InJson(bytes),
                // Pages link to each other by relative URLs; what has a scheme must be http(s).
                "text/html" => PublishedUrls.InHtml(body).Where(url => url.Url.Contains(':', StringComparison.Ordinal)).ToList(),
                _ => [],
            };
            Assert.All(urls, url => Assert.True(url.IsSafe, $"/{path} links to {url}"));
            if (mediaType is "application/json" or "application/feed+json")
                JsonDocument.Parse(bytes).Dispose();
        }

        var titles = pages.SelectMany(page => Titles(page.Response, page.Body)).ToList();
        Assert.NotEmpty(titles);
        Assert.All(titles, title =>
        {
            Assert.InRange(title.Length, 1, SafeText.MaxTitleLength);
            Assert.True(SafeText.IsClean(title), $"a title with a control character: {JsonSerializer.Serialize(title)}");
            Assert.DoesNotMatch("<[A-Za-z/!?]", title);
        });
        // Every hand-written row is in the hostile section's feed once: repaired, none left out.
        var hostileJsonIds = pages.Where(p => p.Path.StartsWith("sections/hostile/json", StringComparison.Ordinal))
            .SelectMany(p => JsonDocument.Parse(p.Body).RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString())).ToList();
        Assert.Equal(HandWrittenRows.Hostile().Count(), hostileJsonIds.Count);
        Assert.Equal(hostileJsonIds.Count, hostileJsonIds.Distinct().Count());
        var dates = pages.Where(p => p.Path.Contains("/json", StringComparison.Ordinal))
            .SelectMany(p => JsonDocument.Parse(p.Body).RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("date_published").GetDateTimeOffset())).ToList();
        Assert.True(dates.Count > hostileJsonIds.Count, $"{dates.Count} dates read from the JSON feeds of both sections");
        Assert.All(dates, date => Assert.InRange(date, DateTimeOffset.UnixEpoch, DateTimeOffset.UtcNow.AddDays(1)));

        var health = await GetAsync(host.Client, "healthz");
        Assert.Equal(HttpStatusCode.OK, health.Response.StatusCode);
        Assert.Equal("Healthy", JsonDocument.Parse(health.Body).RootElement.GetProperty("status").GetString());

        var (exit, output, error) = await FeedsProcess.RunAsync("sources", "--config", host.ConfigPath, "--db", host.DatabasePath);
        Assert.True(exit == 0, error);
        Assert.Contains("hostile", output);
        Assert.Contains("2 source(s)", output);
    }

    private static async Task WriteHostileRowsAsync(string databasePath)
    {
        var now = DateTimeOffset.UtcNow;
        await using var connection = await HandWrittenRows.OpenAsync(databasePath);
        await HandWrittenRows.WriteSourceAsync(connection, "hostile", new Dictionary<string, object?>
        {
            ["feed_title"] = "<script>alert(1)</script>Hostile\u0000 wire &amp; co",
            ["feed_link"] = "javascript:alert(6)",
            ["feed_language"] = "en\"><script>",
            ["last_error"] = "boom\u0000\u001B[31m red \uD800",
            ["last_error_category"] = "Network\u0007",
            ["last_attempt_at"] = long.MaxValue,
            ["next_due_at"] = long.MinValue,
            ["retry_not_before"] = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds(),
            ["moved_to"] = "javascript:alert(7)",
        });
        foreach (var (key, columns) in HandWrittenRows.Hostile())
            await HandWrittenRows.InsertItemAsync(connection, "hostile", key, columns, now);
    }
}
