using System.Net;
using System.ServiceModel.Syndication;
using System.Text;
using System.Text.Json;
using System.Xml;
using Feeds.Core.Refreshing;
using Feeds.Core.Sources;
using Feeds.Tests.Support;

namespace Feeds.Tests.EndToEnd;

/// <summary>
/// Stories through the real service: three loopback sources report one event under different headlines, and a reader
/// sees one story: one entry in the section's feeds naming the other reports, a story page listing all three, and the
/// story's own feeds. On SQLite; <see cref="PostgresStoriesEndToEndTests"/> runs the same on PostgreSQL.
/// </summary>
public class StoriesEndToEndTests : IAsyncLifetime
{
    protected virtual StoreKind Store => StoreKind.Sqlite;

    private static readonly DateTimeOffset Published = DateTimeOffset.UtcNow.AddHours(-6);

    // One event, three wordings: the sources share its names and numbers, not their headlines.
    private static readonly (string Source, string Title, string Headline, string Lede, int MinutesLater)[] Reports = WexbridgeFire.Reports;

    // Each source also carries a story of its own.
    private static readonly Dictionary<string, (string Headline, string Lede)> Others = new()
    {
        // Another story on the same subject: related to the fire by its words, not a report of it.
        ["herald"] = ("Historic market halls face rising repair bills", "Owners of old exchange buildings say insurance against fire has doubled."),
        ["courier"] = ("Valley school wins national robotics prize", "Pupils from Millbrook Academy beat 240 teams with a robot that sorts recycling."),
        ["wire"] = ("Central bank holds interest rate at 4.25%", "Policymakers voted 7-2 to keep borrowing costs unchanged on Thursday."),
    };

    private LoopbackSourceServer _sources = null!;
    private FeedsTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _sources = await LoopbackSourceServer.StartAsync();
        foreach (var report in Reports)
            Serve(report.Source, report.Headline);
        var started = DateTimeOffset.UtcNow;
        _host = await FeedsTestHost.StartAsync(
            new object[] { new { id = "local", title = "Local", description = "Local news" } },
            Reports.Select(r => new { id = r.Source, url = new Uri(_sources.BaseUri, r.Source + ".rss").AbsoluteUri, sections = new[] { "local" } }).ToArray(),
            store: Store);
        await _host.WaitForPollsAsync(Reports.Length, started);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _sources.DisposeAsync();
    }

    private void Serve(string source, string headline)
    {
        var report = Reports.Single(r => r.Source == source);
        var other = Others[source];
        var rss = $"""
            <?xml version="1.0" encoding="utf-8"?>
            <rss version="2.0"><channel><title>{report.Title}</title><link>https://{source}.example.com/</link><description>News</description>
            <item><title>{headline}</title><link>https://{source}.example.com/corn-exchange</link><guid>{source}-fire</guid>
              <description>{report.Lede}</description><pubDate>{Published.AddMinutes(report.MinutesLater):R}</pubDate></item>
            <item><title>{other.Headline}</title><link>https://{source}.example.com/other</link><guid>{source}-other</guid>
              <description>{other.Lede}</description><pubDate>{Published.AddMinutes(-30):R}</pubDate></item>
            </channel></rss>
            """;
        _sources.Serve($"/{source}.rss", Encoding.UTF8.GetBytes(rss), "application/rss+xml");
    }

    private async Task<JsonElement> JsonAsync(string path) => JsonDocument.Parse(await _host.Client.GetStringAsync(path)).RootElement;

    private static SyndicationFeed Syndication(byte[] body) => SyndicationFeed.Load(XmlReader.Create(new MemoryStream(body),
        new XmlReaderSettings { CheckCharacters = true, DtdProcessing = DtdProcessing.Prohibit }));

    /// <summary>The section's entry for the event (its earliest report) and the path of its story page, from the JSON feed.</summary>
    private async Task<(JsonElement Entry, string StoryPath)> FireEntryAsync()
    {
        var items = (await JsonAsync("sections/local/json")).GetProperty("items").EnumerateArray().ToList();
        var entry = Assert.Single(items, item => item.GetProperty("url").GetString()!.EndsWith("/corn-exchange", StringComparison.Ordinal));
        var story = new Uri(entry.GetProperty("_feeds").GetProperty("story").GetString()!);
        return (entry, story.AbsolutePath.TrimStart('/'));
    }

    [Fact]
    public async Task ThreeReportsOfOneEventAreOneEntryInTheSectionFeedsNamingTheOthers()
    {
        var (entry, _) = await FireEntryAsync();
        var rss = Syndication(await _host.Client.GetByteArrayAsync("sections/local/rss"));
        var atom = Syndication(await _host.Client.GetByteArrayAsync("sections/local/atom"));

        // Four entries: the event once, and each source's other story.
        Assert.Equal(4, (await JsonAsync("sections/local/json")).GetProperty("items").GetArrayLength());
        Assert.Equal(Reports[0].Headline, entry.GetProperty("title").GetString());
        Assert.Equal(["Valley Courier", "Northgate Wire"],
            entry.GetProperty("_feeds").GetProperty("also_reported_by").EnumerateArray().Select(o => o.GetProperty("source").GetString()));
        Assert.Equal(4, rss.Items.Count());
        var rssEntry = Assert.Single(rss.Items, item => item.Title.Text == Reports[0].Headline);
        Assert.Contains("Also reported by: ", rssEntry.Summary.Text);
        Assert.Contains("Valley Courier", rssEntry.Summary.Text);
        Assert.Contains("Northgate Wire", rssEntry.Summary.Text);
        var atomEntry = Assert.Single(atom.Items, item => item.Title.Text == Reports[0].Headline);
        // RFC 4287 "related": the story's other reports first, then its related articles (another story on the subject).
        Assert.Equal(["https://courier.example.com/corn-exchange", "https://wire.example.com/corn-exchange", "https://herald.example.com/other"],
            atomEntry.Links.Where(l => l.RelationshipType == "related").Select(l => l.Uri.AbsoluteUri));
        Assert.DoesNotContain(rss.Items, item => item.Title.Text == Reports[1].Headline || item.Title.Text == Reports[2].Headline);
    }

    [Fact]
    public async Task TheStoryPageListsEveryReportAndIsLinkedFromTheSectionPage()
    {
        var (_, storyPath) = await FireEntryAsync();
        var section = ParsedPage.Parse(await _host.Client.GetStringAsync("sections/local"));
        using var response = await _host.Client.GetAsync(storyPath);
        var page = ParsedPage.Parse(await response.Content.ReadAsStringAsync());

        Assert.Contains(section.Document.QuerySelectorAll("a"), a => a.GetAttribute("href") == _host.Client.BaseAddress + storyPath);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Reports.Select(r => r.Headline).Reverse(), page.Document.QuerySelectorAll("article h2").Select(h => h.TextContent));
        Assert.Equal(Reports[0].Headline, page.Document.QuerySelector("h1")!.TextContent);
        Assert.Equal(3, page.AlternateFeeds.Count);
        Assert.NotNull(response.Headers.ETag);
        // The story's related articles: other stories most like it, never one of its own reports.
        var related = page.Document.QuerySelectorAll("details.related li a").Select(a => a.TextContent).ToList();
        Assert.Contains(Others["herald"].Headline, related);
        Assert.DoesNotContain(related, title => Reports.Any(report => report.Headline == title));
    }

    [Fact]
    public async Task TheStoryFeedsCarryEveryReportNewestFirstAndParse()
    {
        var (_, storyPath) = await FireEntryAsync();

        var rss = Syndication(await _host.Client.GetByteArrayAsync(storyPath + "/rss"));
        var atom = Syndication(await _host.Client.GetByteArrayAsync(storyPath + "/atom"));
        var json = await JsonAsync(storyPath + "/json");

        var newestFirst = Reports.Select(r => r.Headline).Reverse().ToList();
        Assert.Equal(newestFirst, rss.Items.Select(i => i.Title.Text));
        Assert.Equal(newestFirst, atom.Items.Select(i => i.Title.Text));
        Assert.Equal(Reports[0].Headline, atom.Title.Text);
        Assert.Equal("https://jsonfeed.org/version/1.1", json.GetProperty("version").GetString());
        Assert.Equal(newestFirst, json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("title").GetString()));
        Assert.All(json.GetProperty("items").EnumerateArray(), item => Assert.False(string.IsNullOrEmpty(item.GetProperty("id").GetString())));
    }

    [Theory]
    [InlineData("stories/999999999")]
    [InlineData("stories/999999999/rss")]
    [InlineData("stories/not-a-story")]
    [InlineData("stories/-4/atom")]
    [InlineData("stories/99999999999999999999999/json")]
    public async Task AnIdThatNamesNoStoryIsNotFound(string path)
    {
        using var response = await _host.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no story", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AStoryKeepsItsIdAcrossARestartAndARepollThatChangesAReport()
    {
        var (_, before) = await FireEntryAsync();
        Serve("courier", "Blaze guts Wexbridge's Corn Exchange as roof collapses");
        await _host.StopAsync();

        await _host.StartAsync(); // a new port, the same database
        var refresher = _host.Services.GetRequiredService<SourceRefresher>();
        foreach (var source in _host.Services.GetRequiredService<FeedsConfigMonitor>().Current.Sources)
            await refresher.RefreshAsync(source, PollReason.Manual, CancellationToken.None);
        var (_, after) = await FireEntryAsync();
        var json = await JsonAsync(after + "/json");

        Assert.Equal(before, after);
        Assert.Contains("Blaze guts Wexbridge's Corn Exchange as roof collapses",
            json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("title").GetString()));
        Assert.Equal(3, json.GetProperty("items").GetArrayLength());
    }
}

/// <summary>The same tests with the service storing in PostgreSQL.</summary>
public sealed class PostgresStoriesEndToEndTests : StoriesEndToEndTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}
