using System.Text;
using System.Text.Json;
using Feeds.Core.Refreshing;
using Feeds.Core.Sources;
using Feeds.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Feeds.Tests.EndToEnd;

/// <summary>
/// A setting's next event through the real service: loopback sources report an event, and once the service has placed
/// their reports a source reports the setting's next event, sharing its names. A reader sees two stories, not one: the
/// first event's, naming its other reports, and the next event's, alone. Each scenario runs on SQLite and PostgreSQL.
/// </summary>
public abstract class NextEventEndToEndTests : IAsyncLifetime
{
    protected virtual StoreKind Store => StoreKind.Sqlite;

    /// <summary>The first event's reports, each from its own source, published this long before the next event's.</summary>
    protected abstract (string Source, string Headline, string Lede, TimeSpan Before)[] FirstEvent { get; }

    /// <summary>The next event's report, polled after the first event's are placed.</summary>
    protected abstract (string Source, string Headline, string Lede) NextEvent { get; }

    private static readonly DateTimeOffset NextEventPublished = DateTimeOffset.UtcNow.AddHours(-1);

    private LoopbackSourceServer _sources = null!;
    private FeedsTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _sources = await LoopbackSourceServer.StartAsync();
        foreach (var (source, headline, lede, before) in FirstEvent)
            Serve(source, Item(source, headline, lede, NextEventPublished - before));
        var sources = FirstEvent.Select(r => r.Source).Append(NextEvent.Source).Distinct().ToList();
        if (FirstEvent.All(r => r.Source != NextEvent.Source))
            Serve(NextEvent.Source, "");
        var started = DateTimeOffset.UtcNow;
        _host = await FeedsTestHost.StartAsync(
            new object[] { new { id = "news", title = "News", description = "News" } },
            sources.Select(source => new { id = source, url = new Uri(_sources.BaseUri, source + ".rss").AbsoluteUri, sections = new[] { "news" } }).ToArray(),
            store: Store);
        await _host.WaitForPollsAsync(sources.Count, started);

        // The source's feed now holds the next event above what it told before, as a feed does.
        var told = FirstEvent.Where(r => r.Source == NextEvent.Source).Select(r => Item(r.Source, r.Headline, r.Lede, NextEventPublished - r.Before));
        Serve(NextEvent.Source, Item(NextEvent.Source, NextEvent.Headline, NextEvent.Lede, NextEventPublished) + string.Concat(told));
        var nextEventsSource = _host.Services.GetRequiredService<FeedsConfigMonitor>().Current.FindSource(NextEvent.Source)!;
        await _host.Services.GetRequiredService<SourceRefresher>().RefreshAsync(nextEventsSource, PollReason.Manual, CancellationToken.None);
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
            <rss version="2.0"><channel><title>{source}</title><link>https://{source}.example.com/</link><description>News</description>
            {items}
            </channel></rss>
            """), "application/rss+xml");

    [Fact]
    public async Task TheNextEventIsAStoryOfItsOwnBesideTheFirst()
    {
        var items = JsonDocument.Parse(await _host.Client.GetStringAsync("sections/news/json")).RootElement
            .GetProperty("items").EnumerateArray().ToList();

        // Two entries: the first event once, led by its earliest report and naming the others, and the next event alone.
        Assert.Equal(2, items.Count);
        var earliest = FirstEvent.MaxBy(r => r.Before);
        var first = Assert.Single(items, item => item.GetProperty("title").GetString() == earliest.Headline);
        Assert.Equal(FirstEvent.Select(r => r.Source).Where(s => s != earliest.Source).Order(),
            first.GetProperty("_feeds").GetProperty("also_reported_by").EnumerateArray().Select(o => o.GetProperty("source").GetString()).Order());
        var next = Assert.Single(items, item => item.GetProperty("title").GetString() == NextEvent.Headline);
        Assert.False(next.GetProperty("_feeds").TryGetProperty("also_reported_by", out _));
    }
}

/// <summary>
/// Three sources report a tournament's first semi-final; a fourth then reports the second, naming the first one's
/// winner. Its report is like one report of the first semi-final, not like most of them (SameStory.StoryFor).
/// </summary>
public class SecondSemiFinalEndToEndTests : NextEventEndToEndTests
{
    protected override (string Source, string Headline, string Lede, TimeSpan Before)[] FirstEvent =>
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

    protected override (string Source, string Headline, string Lede) NextEvent =>
        ("wire", "Istrel FC beat Halvik on penalties to reach Continental Cup final",
            "Istrel FC beat Halvik United 4-2 on penalties after a 1-1 draw at Ternwood Stadium on Sunday to set up a Continental Cup final against Brenholt Rovers, goalkeeper Piet Vanholm saving twice in the shootout.");
}

/// <summary>The same test with the service storing in PostgreSQL.</summary>
public sealed class PostgresSecondSemiFinalEndToEndTests : SecondSemiFinalEndToEndTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}

/// <summary>
/// Three sources report a coach crash on a mountain pass; one of them then reports a lorry crash on the pass that
/// afternoon, alike to the other two's reports. A source tells an event once: its next report on the pass is another
/// event (SameStory.StoryFor).
/// </summary>
public class SecondCrashOnThePassEndToEndTests : NextEventEndToEndTests
{
    protected override (string Source, string Headline, string Lede, TimeSpan Before)[] FirstEvent =>
    [
        ("wire", "Coach overturns on Brannock Pass, 14 injured",
            "Fourteen people were injured, three of them seriously, when a coach carrying 38 passengers overturned on the Brannock Pass near Hollin Bridge on Friday morning, police said. The road was closed in both directions.",
            TimeSpan.FromMinutes(8 * 60 + 15)),
        ("gazette", "Linworth pensioners hurt as day-trip coach overturns",
            "A coach taking Linworth pensioners on a day trip to the coast left the road and overturned on the Brannock Pass shortly before 8am. Emergency services said 14 passengers were hurt and three were airlifted to hospital.",
            TimeSpan.FromMinutes(6 * 60 + 50)),
        ("northlight", "Brannock Pass coach crash: operator says it is 'cooperating fully'",
            "Sedgely Travel says it is cooperating fully with police after one of its coaches overturned on the Brannock Pass this morning, injuring fourteen of the 38 people on board. Three of them remain in a serious condition.",
            TimeSpan.FromMinutes(4 * 60 + 40)),
    ];

    protected override (string Source, string Headline, string Lede) NextEvent =>
        ("gazette", "Brannock Pass shut again as lorry jackknifes",
            "The Brannock Pass was closed for the second time on Friday after an articulated lorry jackknifed near Crag End at about 4.15pm, only an hour after the road reopened following this morning's coach crash.");
}

/// <summary>The same test with the service storing in PostgreSQL.</summary>
public sealed class PostgresSecondCrashOnThePassEndToEndTests : SecondCrashOnThePassEndToEndTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}
