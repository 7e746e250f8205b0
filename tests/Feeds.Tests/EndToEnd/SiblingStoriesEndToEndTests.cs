using System.Text;
using System.Text.Json;
using Feeds.Core.Refreshing;
using Feeds.Core.Sources;
using Feeds.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Feeds.Tests.EndToEnd;

/// <summary>
/// A setting's next event through the real service: three loopback sources report a tournament's first semi-final, and a
/// fourth then reports the second semi-final, naming the first one's winner. A reader sees two stories, not one: the
/// second report is like one report of the first semi-final, not like most of them. On SQLite;
/// <see cref="PostgresSiblingStoriesEndToEndTests"/> runs the same on PostgreSQL.
/// </summary>
public class SiblingStoriesEndToEndTests : IAsyncLifetime
{
    protected virtual StoreKind Store => StoreKind.Sqlite;

    private static readonly DateTimeOffset SecondSemiPublished = DateTimeOffset.UtcNow.AddHours(-1);

    private static readonly (string Source, string Headline, string Lede, TimeSpan Before)[] FirstSemi =
    [
        ("clarion", "DORRAN THE DESTROYER! Rovers snatch final spot",
            "Super-sub Luca Dorran broke Corvane hearts two minutes from time, firing Brenholt Rovers into the Continental Cup final with a 2-1 win in front of a rocking 38,000 crowd at Ashgrove Park.",
            TimeSpan.FromMinutes(22 * 60 + 20)),
        ("courier", "Rovers Book Final Place After 2-1 Win Over Corvane",
            "Brenholt Rovers are one game from continental glory after a 2-1 semi-final victory over Corvane Athletic, with Tomas Reyk's early opener and Luca Dorran's late winner sandwiching an Emil Sarto penalty.",
            TimeSpan.FromMinutes(13 * 60 + 35)),
        ("dispatch", "Brenholt edge Corvane in tense Continental Cup semi-final",
            "Brenholt Rovers reached the Continental Cup final by beating Corvane Athletic 2-1 on Saturday, Luca Dorran heading the winner in the 88th minute after Emil Sarto's penalty had cancelled out Tomas Reyk's opener.",
            TimeSpan.FromMinutes(11 * 60 + 10)),
    ];

    private static readonly (string Headline, string Lede) SecondSemi =
        ("Istrel FC beat Halvik on penalties to reach Continental Cup final",
            "Istrel FC beat Halvik United 4-2 on penalties after a 1-1 draw at Ternwood Stadium on Sunday to set up a Continental Cup final against Brenholt Rovers, goalkeeper Piet Vanholm saving twice in the shootout.");

    private LoopbackSourceServer _sources = null!;
    private FeedsTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _sources = await LoopbackSourceServer.StartAsync();
        foreach (var (source, headline, lede, before) in FirstSemi)
            Serve(source, Item(source, headline, lede, SecondSemiPublished - before));
        // The wire has nothing yet: the second semi-final is played after the first is told.
        Serve("wire", "");
        var started = DateTimeOffset.UtcNow;
        _host = await FeedsTestHost.StartAsync(
            new object[] { new { id = "sport", title = "Sport", description = "Sport" } },
            FirstSemi.Select(r => r.Source).Append("wire")
                .Select(source => new { id = source, url = new Uri(_sources.BaseUri, source + ".rss").AbsoluteUri, sections = new[] { "sport" } })
                .ToArray(),
            store: Store);
        await _host.WaitForPollsAsync(FirstSemi.Length + 1, started);

        Serve("wire", Item("wire", SecondSemi.Headline, SecondSemi.Lede, SecondSemiPublished));
        var wire = _host.Services.GetRequiredService<FeedsConfigMonitor>().Current.FindSource("wire")!;
        await _host.Services.GetRequiredService<SourceRefresher>().RefreshAsync(wire, PollReason.Manual, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _sources.DisposeAsync();
    }

    private static string Item(string source, string headline, string lede, DateTimeOffset published) => $"""
        <item><title>{headline}</title><link>https://{source}.example.com/{published.ToUnixTimeSeconds()}</link>
          <guid>{source}-{published.ToUnixTimeSeconds()}</guid><description>{lede}</description><pubDate>{published:R}</pubDate></item>
        """;

    private void Serve(string source, string items) =>
        _sources.Serve($"/{source}.rss", Encoding.UTF8.GetBytes($"""
            <?xml version="1.0" encoding="utf-8"?>
            <rss version="2.0"><channel><title>{source}</title><link>https://{source}.example.com/</link><description>Sport</description>
            {items}
            </channel></rss>
            """), "application/rss+xml");

    [Fact]
    public async Task TheSecondSemiFinalIsAStoryOfItsOwnBesideTheFirst()
    {
        var items = JsonDocument.Parse(await _host.Client.GetStringAsync("sections/sport/json")).RootElement
            .GetProperty("items").EnumerateArray().ToList();

        // Two entries: the first semi-final once, naming its other two reports, and the second semi-final alone.
        Assert.Equal(2, items.Count);
        var first = Assert.Single(items, item => item.GetProperty("title").GetString() == FirstSemi[0].Headline);
        Assert.Equal(["courier", "dispatch"],
            first.GetProperty("_feeds").GetProperty("also_reported_by").EnumerateArray().Select(o => o.GetProperty("source").GetString()).Order());
        var second = Assert.Single(items, item => item.GetProperty("title").GetString() == SecondSemi.Headline);
        Assert.False(second.GetProperty("_feeds").TryGetProperty("also_reported_by", out _));
    }
}

/// <summary>The same test with the service storing in PostgreSQL.</summary>
public sealed class PostgresSiblingStoriesEndToEndTests : SiblingStoriesEndToEndTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}
