using System.Text;
using System.Text.Json;
using Feeds.Tests.Support;

namespace Feeds.Tests.EndToEnd;

/// <summary>
/// Two desks' words for one event through the real service: a wire's "armed gang steals watches worth £250k from a
/// jeweller" and a local paper's "robbers smash their way into a jewellery shop … 250,000 pounds of timepieces" share no
/// name and no word as written. A reader sees them as one story: their words are read as news desks mean them (steal and
/// rob, jeweller and jewellery) and their figures as the sums they are. A third source's raid on another jeweller that
/// day stays a story of its own. On SQLite; <see cref="PostgresDeskWordsEndToEndTests"/> runs the same on PostgreSQL.
/// </summary>
public class DeskWordsEndToEndTests : IAsyncLifetime
{
    protected virtual StoreKind Store => StoreKind.Sqlite;

    private static readonly DateTimeOffset Published = DateTimeOffset.UtcNow.AddHours(-6);

    private static readonly (string Source, string Headline, string Lede, int MinutesLater)[] Reports =
    [
        ("wire", "Armed gang steals watches worth £250k from Kelmsford jeweller",
            "Three men armed with sledgehammers stole watches worth £250k from a jeweller on Mercer Street on Friday afternoon, police said.", 0),
        ("gazette", "Robbers smash their way into town centre jewellery shop",
            "Raiders escaped with 250,000 pounds of luxury timepieces, leaving staff shaken.", 100),
        // Another raid that day: the same kind of event, elsewhere, with its own figure.
        ("radio", "Dunmarrow jeweller robbed at knifepoint",
            "Two men threatened staff with a knife and stole rings worth £40,000 from a jeweller in Dunmarrow on Friday morning.", 70),
    ];

    private LoopbackSourceServer _sources = null!;
    private FeedsTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _sources = await LoopbackSourceServer.StartAsync();
        foreach (var (source, headline, lede, minutesLater) in Reports)
        {
            _sources.Serve($"/{source}.rss", Encoding.UTF8.GetBytes($"""
                <?xml version="1.0" encoding="utf-8"?>
                <rss version="2.0"><channel><title>{source}</title><link>https://{source}.example.com/</link><description>News</description>
                <item><title>{headline}</title><link>https://{source}.example.com/raid</link><guid>{source}-raid</guid>
                  <description>{lede}</description><pubDate>{Published.AddMinutes(minutesLater):R}</pubDate></item>
                </channel></rss>
                """), "application/rss+xml");
        }
        var started = DateTimeOffset.UtcNow;
        _host = await FeedsTestHost.StartAsync(
            new object[] { new { id = "news", title = "News", description = "News" } },
            Reports.Select(r => new { id = r.Source, url = new Uri(_sources.BaseUri, r.Source + ".rss").AbsoluteUri, sections = new[] { "news" } }).ToArray(),
            store: Store);
        await _host.WaitForPollsAsync(Reports.Length, started);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _sources.DisposeAsync();
    }

    [Fact]
    public async Task TwoDesksWordsForOneEventAreOneEntryAndAnotherRaidIsItsOwn()
    {
        var items = JsonDocument.Parse(await _host.Client.GetStringAsync("sections/news/json")).RootElement
            .GetProperty("items").EnumerateArray().ToList();

        Assert.Equal(2, items.Count);
        var raid = Assert.Single(items, item => item.GetProperty("title").GetString() == Reports[0].Headline);
        Assert.Equal(["gazette"], raid.GetProperty("_feeds").GetProperty("also_reported_by").EnumerateArray().Select(o => o.GetProperty("source").GetString()));
        var otherRaid = Assert.Single(items, item => item.GetProperty("title").GetString() == Reports[2].Headline);
        Assert.False(otherRaid.GetProperty("_feeds").TryGetProperty("also_reported_by", out _));
    }
}

/// <summary>The same test with the service storing in PostgreSQL.</summary>
public sealed class PostgresDeskWordsEndToEndTests : DeskWordsEndToEndTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}
