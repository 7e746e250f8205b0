using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Xml.Linq;
using Feeds.Core.Refreshing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Feeds.Service.Publishing;
using Feeds.Tests.Support;
using Quartz;

namespace Feeds.Tests.EndToEnd;

/// <summary>
/// Search and story feeds where readers meet them: subscribed in a real reader (newsboat), held to the feed validator's
/// rules, paged (RFC 5005) and pushed through a WebSub hub; and a story led by the configured preferred source. The real
/// service over loopback sources, on SQLite; <see cref="PostgresReaderEndToEndTests"/> runs the same on PostgreSQL.
/// </summary>
public class ReaderEndToEndTests : IAsyncLifetime
{
    protected virtual StoreKind Store => StoreKind.Sqlite;

    private const string PublicBase = "https://news.example.org/";
    private static readonly DateTimeOffset Published = DateTimeOffset.UtcNow.AddHours(-6).AddTicks(-(DateTimeOffset.UtcNow.Ticks % TimeSpan.TicksPerSecond));

    // One event, three wordings; the wire reports it last, and is the preferred source.
    private static readonly (string Source, string Title, string Headline, string Lede, int MinutesLater)[] Reports = WexbridgeFire.Reports;

    private static readonly Dictionary<string, (string Headline, string Lede)> Others = new()
    {
        ["herald"] = ("Valley school wins national robotics prize", "Pupils from Millbrook Academy beat 240 teams with a robot that sorts recycling."),
        ["courier"] = ("Central bank holds interest rate at 4.25%", "Policymakers voted 7-2 to keep borrowing costs unchanged on Thursday."),
        ["wire"] = ("Storm delays the cup final", "Kick-off moved to Sunday."),
    };

    private LoopbackSourceServer _sources = null!;
    private FeedsTestHost _host = null!;
    private Uri _hub = null!;

    public async Task InitializeAsync()
    {
        _sources = await LoopbackSourceServer.StartAsync();
        foreach (var report in Reports)
            Serve(report.Source);
        _hub = _sources.ServeHub("/hub");
        var started = DateTimeOffset.UtcNow;
        _host = await FeedsTestHost.StartAsync(
            new object[] { new { id = "local", title = "Local", description = "Local news" } },
            Reports.Select(r => new { id = r.Source, url = new Uri(_sources.BaseUri, r.Source + ".rss").AbsoluteUri, sections = new[] { "local" } }).ToArray(),
            publishing: new { itemsPerFeed = 2, baseUrl = PublicBase, hub = _hub.AbsoluteUri },
            store: Store,
            stories: new { preferredSources = new[] { "wire", "courier" } });
        await _host.WaitForPollsAsync(Reports.Length, started);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _sources.DisposeAsync();
    }

    private void Serve(string source, string? extraItem = null, string? editedHeadline = null)
    {
        var report = Reports.Single(r => r.Source == source);
        var other = Others[source];
        XElement Item(string key, string title, string lede, DateTimeOffset at) => new("item",
            new XElement("title", title), new XElement("link", $"https://{source}.example.com/{key}"), new XElement("guid", $"{source}-{key}"),
            new XElement("description", lede), new XElement("pubDate", at.ToString("R", CultureInfo.InvariantCulture)));
        var channel = new XElement("channel", new XElement("title", report.Title), new XElement("link", $"https://{source}.example.com/"),
            new XElement("description", "News"),
            Item("corn-exchange", editedHeadline ?? report.Headline, report.Lede, Published.AddMinutes(report.MinutesLater)),
            Item("other", other.Headline, other.Lede, Published.AddMinutes(-30)));
        if (extraItem is not null)
            channel.Add(Item("extra", extraItem, "Results from the county show.", DateTimeOffset.UtcNow.AddMinutes(-1)));
        _sources.Serve($"/{source}.rss", System.Text.Encoding.UTF8.GetBytes(new XDocument(new XElement("rss", new XAttribute("version", "2.0"), channel)).ToString()),
            "application/rss+xml");
    }

    private async Task<JsonElement> JsonAsync(string path) => JsonDocument.Parse(await _host.Client.GetStringAsync(path)).RootElement;

    /// <summary>The path of the fire's story page, from the section's entry for it (its lead) in the JSON feed, and that entry.</summary>
    private async Task<(string StoryPath, JsonElement Entry)> FireStoryAsync()
    {
        // The section's feed is paged by two: the fire may be on either page.
        var entries = new List<JsonElement>();
        var page = await JsonAsync("sections/local/json");
        entries.AddRange(page.GetProperty("items").EnumerateArray());
        if (page.TryGetProperty("next_url", out var next))
            entries.AddRange((await JsonAsync(new Uri(next.GetString()!).PathAndQuery.TrimStart('/'))).GetProperty("items").EnumerateArray());
        var entry = Assert.Single(entries, item => item.GetProperty("url").GetString()!.EndsWith("/corn-exchange", StringComparison.Ordinal));
        return (new Uri(entry.GetProperty("_feeds").GetProperty("story").GetString()!).AbsolutePath.TrimStart('/'), entry);
    }

    private Uri Local(string pathAndQuery) => new(_host.Client.BaseAddress!, pathAndQuery);

    [Fact]
    public async Task NewsboatReadsASearchFeedAndAStoryFeedInRssAndAtom()
    {
        var (storyPath, _) = await FireStoryAsync();
        Uri[] feeds = [Local("search/rss?q=firefighters"), Local("search/atom?q=firefighters"), Local(storyPath + "/rss"), Local(storyPath + "/atom")];

        var read = new List<IReadOnlyList<string>>();
        foreach (var feed in feeds)
            read.Add(await Newsboat.ReadAsync(feed));

        // The search: the two reports whose ledes name firefighters. The story: its first page, the two newest reports.
        string[] search = [Reports[1].Headline, Reports[0].Headline];
        string[] story = [Reports[2].Headline, Reports[1].Headline];
        Assert.Equal(search.Order(), read[0]);
        Assert.Equal(search.Order(), read[1]);
        Assert.Equal(story.Order(), read[2]);
        Assert.Equal(story.Order(), read[3]);
    }

    [Fact]
    public async Task SearchAndStoryFeedsKeepTheFeedValidatorsRulesInEveryFormat()
    {
        var (storyPath, _) = await FireStoryAsync();
        var story = new Uri(PublicBase + storyPath);
        var olderStoryPage = new Uri(JsonDocument.Parse(await _host.Client.GetStringAsync(storyPath + "/json")).RootElement.GetProperty("next_url").GetString()!);
        string[] lists = ["search/{0}?q=firefighters", "search/{0}?q=%22corn+exchange%22+-blaze", storyPath + "/{0}", olderStoryPage.AbsolutePath.TrimStart('/').Replace("/json", "/{0}", StringComparison.Ordinal) + olderStoryPage.Query];

        foreach (var list in lists)
        {
            var rss = string.Format(CultureInfo.InvariantCulture, list, "rss");
            var atom = string.Format(CultureInfo.InvariantCulture, list, "atom");
            var json = string.Format(CultureInfo.InvariantCulture, list, "json");
            FeedValidatorRules.CheckRss(rss, await _host.Client.GetStringAsync(rss));
            FeedValidatorRules.CheckAtom(atom, await _host.Client.GetStringAsync(atom));
            FeedValidatorRules.CheckJsonFeed(json, await _host.Client.GetStringAsync(json));
        }
        Assert.StartsWith(story.AbsoluteUri, olderStoryPage.AbsoluteUri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheStorysLeadIsThePreferredSourcesReportInTheSectionAndOnTheStoryPage()
    {
        var (storyPath, entry) = await FireStoryAsync();
        var page = ParsedPage.Parse(await _host.Client.GetStringAsync(storyPath));

        // The wire reported last, but leads: it is the first preferred source.
        Assert.Equal(Reports[2].Headline, entry.GetProperty("title").GetString());
        Assert.Equal(["Harbour Herald", "Valley Courier"],
            entry.GetProperty("_feeds").GetProperty("also_reported_by").EnumerateArray().Select(o => o.GetProperty("source").GetString()));
        Assert.Equal(Reports[2].Headline, page.Document.QuerySelector("h1")!.TextContent);
        Assert.Contains("Lead report by Northgate Wire", page.Document.QuerySelector("header p")!.TextContent);
        var lead = Assert.Single(page.Document.QuerySelectorAll("article"), article => article.TextContent.Contains("lead report", StringComparison.Ordinal));
        Assert.Equal(Reports[2].Headline, lead.QuerySelector("h2")!.TextContent);
    }

    [Fact]
    public async Task AStoryFeedIsPagedLikeASectionFeedAndNamesTheHub()
    {
        var (storyPath, _) = await FireStoryAsync();
        XNamespace atom = "http://www.w3.org/2005/Atom";

        using var first = await _host.Client.GetAsync(storyPath + "/atom");
        var firstFeed = XDocument.Parse(await first.Content.ReadAsStringAsync()).Root!;
        string? Link(XElement feed, string rel) => feed.Elements(atom + "link").SingleOrDefault(l => (string?)l.Attribute("rel") == rel)?.Attribute("href")?.Value;
        var next = new Uri(Link(firstFeed, "next")!);
        var secondFeed = XDocument.Parse(await _host.Client.GetStringAsync(next.PathAndQuery.TrimStart('/'))).Root!;
        var previous = new Uri(Link(secondFeed, "previous")!);
        var backFeed = XDocument.Parse(await _host.Client.GetStringAsync(previous.PathAndQuery.TrimStart('/'))).Root!;
        IEnumerable<string> Titles(XElement feed) => feed.Elements(atom + "entry").Select(e => e.Element(atom + "title")!.Value);

        // RFC 5005 §3: the newest page links the next (older) one, which links back; every report once, newest first.
        Assert.Equal([Reports[2].Headline, Reports[1].Headline], Titles(firstFeed));
        Assert.Equal([Reports[0].Headline], Titles(secondFeed));
        Assert.Equal(Titles(firstFeed), Titles(backFeed));
        Assert.Null(Link(secondFeed, "next"));
        Assert.StartsWith(PublicBase + storyPath + "/atom?before=", next.AbsoluteUri, StringComparison.Ordinal);
        // WebSub §4: the hub in the feed and in the Link header, with the feed's own URL.
        Assert.Equal(_hub.AbsoluteUri, Link(firstFeed, "hub"));
        Assert.Equal($"<{_hub.AbsoluteUri}>; rel=\"hub\", <{PublicBase}{storyPath}/atom>; rel=\"self\"", first.Headers.GetValues("Link").Single());
        using var badCursor = await _host.Client.GetAsync(storyPath + "/rss?before=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, badCursor.StatusCode);
    }

    [Fact]
    public async Task AStoryANewReportJoinsIsPingedToTheHub()
    {
        // The first check notes where the store stands (it pings every section then); what is stored after it is pinged.
        await WaitForAsync(() => _sources.Posts.Any(p => p.Path == "/hub"), "the first WebSub check");
        Serve("courier", "Marrow growers crowned at the county show");
        var refresher = _host.Services.GetRequiredService<SourceRefresher>();
        await refresher.RefreshAsync(_host.Services.GetRequiredService<FeedsConfigMonitor>().Current.FindSource("courier")!, PollReason.Manual, CancellationToken.None);

        // A report of its own is a new story: its feeds are pinged, and the story they name is the new report's.
        var (firePath, _) = await FireStoryAsync();
        bool IsStoryAtom(string topic) => topic.StartsWith(PublicBase + "stories/", StringComparison.Ordinal) && topic.EndsWith("/atom", StringComparison.Ordinal);
        await WaitForAsync(() => Topics().Any(IsStoryAtom), "a ping for the new report's story");
        var storyPath = new Uri(Assert.Single(Topics(), IsStoryAtom)).AbsolutePath.TrimStart('/')[..^"/atom".Length];
        await WaitForPingsOfEveryFormatAsync(storyPath, pingedBefore: 0);
        var storyFeed = await JsonAsync(storyPath + "/json");

        Assert.Equal(["Marrow growers crowned at the county show"], storyFeed.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("title").GetString()));
        // The fire's story had no new report: it is not pinged.
        Assert.DoesNotContain(Topics(), topic => topic.StartsWith(PublicBase + firePath + "/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AStoryWhoseReportIsEditedShowsTheEditAndIsPingedToTheHub()
    {
        var (firePath, _) = await FireStoryAsync();
        // Once the ping job has seen every report stored so far, a ping for the fire's story can only be the edit's.
        await WaitForThePingJobToSeeAsync(await _host.Services.GetRequiredService<IPublishingStore>().GetLastChangeAsync(CancellationToken.None));
        var pingedBefore = PingsOfEachFormat(firePath).Max();
        var edited = Reports[1] with { Headline = "Blaze guts Wexbridge's Corn Exchange; cause still unknown" };

        // The courier corrects its headline: the same item (same guid), a changed title.
        Serve(edited.Source, editedHeadline: edited.Headline);
        var refresher = _host.Services.GetRequiredService<SourceRefresher>();
        await refresher.RefreshAsync(_host.Services.GetRequiredService<FeedsConfigMonitor>().Current.FindSource(edited.Source)!, PollReason.Manual, CancellationToken.None);

        // The story's feeds changed, as when a report joins it: pinged, in every format, and showing the edit in place.
        await WaitForPingsOfEveryFormatAsync(firePath, pingedBefore);
        var titles = (await JsonAsync(firePath + "/json")).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("title").GetString()).ToList();
        Assert.Equal([Reports[2].Headline, edited.Headline], titles);
        // The edit kept the report in its story, under its id: the section's entry still links the same story.
        Assert.Equal(firePath, (await FireStoryAsync()).StoryPath);
    }

    private List<string> Topics() => _sources.Posts.Where(p => p.Path == "/hub")
        .Select(p => WebUtility.UrlDecode(p.Body)).Select(body => body["hub.mode=publish&hub.url=".Length..]).ToList();

    /// <summary>How often the hub was told of the RSS, Atom and JSON feeds of <paramref name="storyPath"/>, each.</summary>
    private IEnumerable<int> PingsOfEachFormat(string storyPath) =>
        new[] { "rss", "atom", "json" }.Select(format => Topics().Count(topic => topic == $"{PublicBase}{storyPath}/{format}"));

    /// <summary>
    /// Waits until the hub was told of every format of <paramref name="storyPath"/> more than <paramref name="pingedBefore"/>
    /// times: the job tells it of one format after the other, so a ping is whole only once the last has come.
    /// </summary>
    private async Task WaitForPingsOfEveryFormatAsync(string storyPath, int pingedBefore) =>
        await WaitForAsync(() => PingsOfEachFormat(storyPath).All(count => count > pingedBefore), $"a ping of {storyPath} in every format");

    /// <summary>Waits until the WebSub job's mark of the stories it pinged (its job data) is at or after <paramref name="change"/>.</summary>
    private async Task WaitForThePingJobToSeeAsync(ItemChange change)
    {
        var scheduler = await _host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
        while (true)
        {
            var pinged = (await scheduler.GetJobDetail(WebSubPingJob.Job))?.JobDataMap;
            if (pinged is not null && pinged.TryGetString(WebSubPingJob.LastReportKey, out var text) && ItemChange.TryParse(text, out var seen)
                && (seen.ChangedMs, seen.ItemId).CompareTo((change.ChangedMs, change.ItemId)) >= 0)
                return;
            Assert.True(DateTimeOffset.UtcNow < deadline, $"waited 20 s for the WebSub job to see the change {change}");
            await Task.Delay(100);
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"waited 20 s for {what}");
            await Task.Delay(100);
        }
    }
}

/// <summary>The same tests with the service storing in PostgreSQL.</summary>
public sealed class PostgresReaderEndToEndTests : ReaderEndToEndTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}
