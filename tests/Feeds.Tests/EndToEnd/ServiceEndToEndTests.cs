using System.Net;
using System.Net.Http.Headers;
using System.ServiceModel.Syndication;
using System.Xml;
using Feeds.Core.Storage;
using Feeds.Service.Scheduling;
using Feeds.Tests.Support;
using Quartz;

namespace Feeds.Tests.EndToEnd;

/// <summary>The real service on loopback, polling a real loopback source server, read back by a feed parser. On SQLite; <see cref="PostgresServiceEndToEndTests"/> runs the same on PostgreSQL.</summary>
public class ServiceEndToEndTests : IAsyncLifetime
{
    protected virtual StoreKind Store => StoreKind.Sqlite;

    private LoopbackSourceServer _sources = null!;
    private FeedsTestHost _host = null!;
    private DateTimeOffset _started;

    private static readonly object[] Sections =
    [
        new { id = "international", title = "International", description = "World news" },
        new { id = "technology", title = "Technology", description = "Tech news" },
    ];

    public async Task InitializeAsync()
    {
        _sources = await LoopbackSourceServer.StartAsync();
        var wire = _sources.Serve("/wire.rss", TestFiles.SampleBytes("world-wire.rss"), "application/rss+xml");
        var capitol = _sources.Serve("/capitol.atom", TestFiles.SampleBytes("capitol-briefing.atom"), "application/atom+xml");
        var tech = _sources.Serve("/tech.rss", TestFiles.SampleBytes("techdesk.rss"), "application/rss+xml");
        _started = DateTimeOffset.UtcNow;
        _host = await FeedsTestHost.StartAsync(Sections, new object[]
        {
            new { id = "wire", url = wire.AbsoluteUri, sections = new[] { "international" } },
            new { id = "capitol", url = capitol.AbsoluteUri, sections = new[] { "international" } },
            new { id = "tech", url = tech.AbsoluteUri, sections = new[] { "technology" } },
        }, store: Store);
        await _host.WaitForPollsAsync(3, _started);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _sources.DisposeAsync();
    }

    private async Task<SyndicationFeed> ReadFeedAsync(string path)
    {
        using var response = await _host.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = XmlReader.Create(await response.Content.ReadAsStreamAsync());
        return SyndicationFeed.Load(reader);
    }

    [Theory]
    [InlineData("rss")]
    [InlineData("atom")]
    public async Task EachSectionFeedCarriesItsSourcesItemsNewestFirst(string format)
    {
        var international = await ReadFeedAsync($"sections/international/{format}");
        var technology = await ReadFeedAsync($"sections/technology/{format}");

        // 10 wire + 7 capitol, two of which the wire tells too (the port strike, the Sarn River accord's signing).
        Assert.Equal(15, international.Items.Count());
        Assert.Equal(10, technology.Items.Count());
        foreach (var item in international.Items.Concat(technology.Items))
        {
            Assert.False(string.IsNullOrWhiteSpace(item.Title?.Text));
            Assert.False(string.IsNullOrWhiteSpace(item.Id));
            Assert.NotEmpty(item.Links);
            Assert.NotEqual(default, item.PublishDate);
        }
        var dates = international.Items.Select(i => i.PublishDate).ToList();
        Assert.Equal(dates.OrderByDescending(d => d), dates);
        Assert.Contains(international.Items, i => i.Title.Text == "Korvanian trade delegation arrives for tariff talks");
        Assert.DoesNotContain(technology.Items, i => i.Title.Text == "Korvanian trade delegation arrives for tariff talks");
    }

    [Fact]
    public async Task FeedLengthFollowsTheConfig()
    {
        await using var host = await FeedsTestHost.StartAsync(new[] { Sections[0] },
            new object[] { new { id = "wire", url = new Uri(_sources.BaseUri, "wire.rss").AbsoluteUri, sections = new[] { "international" } } },
            new { itemsPerFeed = 3 });
        await host.WaitForPollsAsync(1, _started);

        var feed = SyndicationFeed.Load(XmlReader.Create(await host.Client.GetStreamAsync("sections/international/rss")));

        Assert.Equal(["Wildfire season begins early in Caldera's southern provinces", "New rail link between Brevia and Valdoria opens to passengers",
            "Museum returns bronze collection to Amsel Islands after 130 years"], feed.Items.Select(i => i.Title.Text));
    }

    [Fact]
    public async Task FeedsAreServedWithContentTypeCharsetAndStrongETag()
    {
        using var rss = await _host.Client.GetAsync("sections/international/rss");
        using var atom = await _host.Client.GetAsync("sections/international/atom");

        Assert.Equal("application/rss+xml", rss.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", rss.Content.Headers.ContentType?.CharSet);
        Assert.Equal("application/atom+xml", atom.Content.Headers.ContentType?.MediaType);
        Assert.False(rss.Headers.ETag!.IsWeak);
        Assert.NotEqual(rss.Headers.ETag, atom.Headers.ETag);
        Assert.NotNull(rss.Content.Headers.LastModified);
    }

    [Fact]
    public async Task AReaderWithTheETagGets304()
    {
        using var first = await _host.Client.GetAsync("sections/technology/atom");
        using var request = new HttpRequestMessage(HttpMethod.Get, "sections/technology/atom");
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);

        using var second = await _host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync());
        Assert.Equal(first.Headers.ETag, second.Headers.ETag);
    }

    [Fact]
    public async Task ARepollUsesConditionalGetAndAddsNoDuplicates()
    {
        var before = await _host.Client.GetByteArrayAsync("sections/international/rss");
        var refresher = _host.Services.GetRequiredService<Feeds.Core.Refreshing.SourceRefresher>();
        var config = _host.Services.GetRequiredService<Feeds.Core.Sources.FeedsConfigMonitor>().Current;

        foreach (var source in config.Sources)
            Assert.IsType<Feeds.Core.Refreshing.RefreshResult.NotModified>(await refresher.RefreshAsync(source, Feeds.Core.Refreshing.PollReason.Manual, CancellationToken.None));
        var after = await _host.Client.GetByteArrayAsync("sections/international/rss");

        Assert.Equal(before, after);
        Assert.Equal(1, _sources.ConditionalRequestCount("/wire.rss"));
    }

    [Fact]
    public async Task DataSurvivesARestart()
    {
        static IEnumerable<string> Entries(SyndicationFeed feed) => feed.Items.Select(i => $"{i.Id} {i.Title.Text} {i.PublishDate:O}");
        var before = Entries(await ReadFeedAsync("sections/international/atom")).ToList();
        await _host.StopAsync();
        var restarted = DateTimeOffset.UtcNow;

        await _host.StartAsync(); // a new port, the same database
        var states = await _host.Services.GetRequiredService<IStatusStore>().GetSourceStatesAsync(CancellationToken.None);
        if (Store == StoreKind.Sqlite)
        {
            // The schedule was in memory: each source is polled once at start-up.
            await _host.WaitForPollsAsync(3, restarted);
            states = await _host.Services.GetRequiredService<IStatusStore>().GetSourceStatesAsync(CancellationToken.None);
            Assert.All(states, s => Assert.Equal(PollOutcome.NotModified, s.LastOutcome));
        }
        else
        {
            // The schedule is in the database with the items: each source's trigger is still at the due time its last
            // poll stored, not moved to now (a node restarting in a cluster polls nothing that is not due).
            var scheduler = await _host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
            foreach (var state in states)
            {
                var trigger = Assert.Single(await scheduler.GetTriggersOfJob(SourceSchedule.JobOf(state.SourceId)));
                Assert.True(state.NextDueAt > restarted);
                Assert.Equal(state.NextDueAt, trigger.StartTimeUtc);
            }
        }
        var after = Entries(await ReadFeedAsync("sections/international/atom")).ToList();

        Assert.Equal(15, before.Count);
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task TheIndexPageListsSectionsWithAutodiscoveryAndSubscribeLinks()
    {
        using var response = await _host.Client.GetAsync("");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        // Read as a reader's autodiscovery reads the page: the encoder may spell '+' as "&#x2B;".
        var feeds = ParsedPage.Parse(html).AlternateFeeds;
        Assert.Contains(feeds, feed => feed.Type == "application/rss+xml" && feed.Href.EndsWith("/sections/technology/rss", StringComparison.Ordinal));
        Assert.Contains(feeds, feed => feed.Type == "application/atom+xml" && feed.Href.EndsWith("/sections/technology/atom", StringComparison.Ordinal));
        Assert.Contains("Korvanian trade delegation arrives for tariff talks", html);
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task TheSectionPageShowsStoriesWithBylineAndReadingTime()
    {
        var html = await _host.Client.GetStringAsync("sections/technology");

        Assert.Contains("By Lena Whitford", html);
        Assert.Contains("min read", html);
        Assert.DoesNotContain("<script", html);
    }

    [Fact]
    public async Task UnknownSectionsAre404AndHealthIsOk()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Client.GetAsync("sections/sports/rss")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _host.Client.GetAsync("healthz")).StatusCode);
    }

    [Fact]
    public async Task HeadAnswersWithoutABody()
    {
        using var response = await _host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "sections/international/rss"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(response.Headers.ETag);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }
}

/// <summary>The same tests with the service storing in PostgreSQL.</summary>
public sealed class PostgresServiceEndToEndTests : ServiceEndToEndTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}
