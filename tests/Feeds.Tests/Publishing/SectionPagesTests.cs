using Feeds.Core.Fetching;
using Feeds.Core.Normalization;
using Feeds.Core.Publishing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Feeds.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Feeds.Tests.Publishing;

public sealed class SectionPagesTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Start.AddDays(30));
    private TempStore _temp = null!;
    private SectionPages _pages = null!;

    public async Task InitializeAsync()
    {
        _temp = await TempStore.CreateAsync(_clock);
        _pages = new SectionPages(_temp.Publishing);
    }

    public Task DisposeAsync()
    {
        _temp.Dispose();
        return Task.CompletedTask;
    }

    private static Source Source(string id, params string[] sections) =>
        new(id, id, SourceLocation.ForUrl(new Uri($"https://{id}.example.com/rss")), sections, TimeSpan.FromMinutes(30));

    private static FeedsConfig Config(Section[] sections, params Source[] sources) => new("feeds.json", sections, sources, new PublishingSettings());

    private static NormalizedItem Item(string key, int hour, string? title = null, string? link = null, string[]? categories = null) => new NormalizedItem
    {
        Key = key,
        ContentHash = key,
        Title = title ?? $"Story {key} about the harbour strike",
        Link = link ?? $"https://example.com/{key}",
        Published = Start.AddHours(hour),
        Categories = categories ?? ["World"],
    }.WithStoryKeys();

    private Task SaveAsync(string sourceId, params NormalizedItem[] items) => SaveInLanguageAsync(sourceId, "en", items);

    /// <summary>An item's language is its source's (the feed's <c>language</c> or <c>xml:lang</c>); null when the feed names none.</summary>
    private Task SaveInLanguageAsync(string sourceId, string? language, params NormalizedItem[] items) =>
        _temp.Polls.SavePollAsync(new SourceState { SourceId = sourceId, Url = $"https://{sourceId}.example.com/rss", FeedTitle = sourceId.ToUpperInvariant(), FeedLanguage = language }, items, CancellationToken.None);

    [Fact]
    public async Task WalkingNextLinksVisitsTheWholeArchiveOnceInOrder()
    {
        var section = new Section("world", "World", "");
        var config = Config([section], Source("wire", "world"));
        await SaveAsync("wire", Enumerable.Range(0, 23).Select(i => Item($"k{i:00}", i, title: $"Distinct headline number {i:00} of the day")).ToArray());

        var seen = new List<string>();
        var cursor = ItemCursor.Newest;
        var pages = 0;
        while (true)
        {
            var page = await _pages.GetAsync(config, section, cursor, 5, CancellationToken.None);
            pages++;
            seen.AddRange(page.Entries.Select(e => e.Item.ItemKey));
            if (page.Older is null)
                break;
            cursor = page.Older;
        }

        Assert.Equal(5, pages);
        Assert.Equal(Enumerable.Range(0, 23).Reverse().Select(i => $"k{i:00}"), seen);
    }

    [Fact]
    public async Task PreviousLinksLeadBackToTheFirstPage()
    {
        var section = new Section("world", "World", "");
        var config = Config([section], Source("wire", "world"));
        await SaveAsync("wire", Enumerable.Range(0, 12).Select(i => Item($"k{i:00}", i, title: $"Distinct headline number {i:00} of the day")).ToArray());

        var first = await _pages.GetAsync(config, section, ItemCursor.Newest, 5, CancellationToken.None);
        var second = await _pages.GetAsync(config, section, first.Older!, 5, CancellationToken.None);
        var back = await _pages.GetAsync(config, section, second.Newer!, 5, CancellationToken.None);

        Assert.True(first.IsFirst);
        Assert.False(second.IsFirst);
        Assert.Equal(first.Entries.Select(e => e.Item.Id), back.Entries.Select(e => e.Item.Id));
        Assert.True(back.IsFirst);
    }

    [Fact]
    public async Task ACursorStaysStableWhenNewItemsArrive()
    {
        var section = new Section("world", "World", "");
        var config = Config([section], Source("wire", "world"));
        await SaveAsync("wire", Enumerable.Range(0, 10).Select(i => Item($"k{i:00}", i, title: $"Distinct headline number {i:00} of the day")).ToArray());
        var first = await _pages.GetAsync(config, section, ItemCursor.Newest, 4, CancellationToken.None);
        var before = await _pages.GetAsync(config, section, first.Older!, 4, CancellationToken.None);

        await SaveAsync("wire", Item("fresh", 100, title: "Breaking news from the evening session"));
        var after = await _pages.GetAsync(config, section, first.Older!, 4, CancellationToken.None);

        Assert.Equal(before.Entries.Select(e => e.Item.Id), after.Entries.Select(e => e.Item.Id));
    }

    [Fact]
    public async Task TheSameStoryFromTwoSourcesIsOneEntryWithTheEarliestFirst()
    {
        var section = new Section("world", "World", "");
        var config = Config([section], Source("wire", "world"), Source("capitol", "world"));
        await SaveAsync("wire", Item("w1", 10, title: "Port strike halts container traffic"), Item("w2", 11, link: "https://example.com/shared?utm_source=rss"));
        await SaveAsync("capitol", Item("c1", 12, title: "Port Strike Halts Container Traffic!"), Item("c2", 13, link: "https://www.example.com/shared/"));

        var page = await _pages.GetAsync(config, section, ItemCursor.Newest, 10, CancellationToken.None);

        Assert.Equal(["w2", "w1"], page.Entries.Select(e => e.Item.ItemKey));
        Assert.Equal(["c2"], page.Entries[0].AlsoReportedBy.Select(i => i.ItemKey));
        Assert.Equal(["c1"], page.Entries[1].AlsoReportedBy.Select(i => i.ItemKey));
    }

    [Fact]
    public async Task ASectionsOwnPreferredSourceLeadsItsStoriesOverTheGlobalOne()
    {
        var world = new Section("world", "World", "") { PreferredSources = ["wire"] };
        var business = new Section("business", "Business", "");
        var config = Config([world, business], Source("wire", "world", "business"), Source("capitol", "world", "business"))
            with { Stories = new StorySettings(["capitol"]) };
        await SaveAsync("wire", Item("w1", 10, title: "Port strike halts container traffic"));
        await SaveAsync("capitol", Item("c1", 12, title: "Port Strike Halts Container Traffic!"));

        var worldPage = await _pages.GetAsync(config, world, ItemCursor.Newest, 10, CancellationToken.None);
        var businessPage = await _pages.GetAsync(config, business, ItemCursor.Newest, 10, CancellationToken.None);

        // Business follows the global preference, so the later report leads; World's own list puts the wire first.
        Assert.Equal(["c1"], businessPage.Entries.Select(e => e.Item.ItemKey));
        Assert.Equal(["w1"], businessPage.Entries[0].AlsoReportedBy.Select(i => i.ItemKey));
        Assert.Equal(["w1"], worldPage.Entries.Select(e => e.Item.ItemKey));
        Assert.Equal(["c1"], worldPage.Entries[0].AlsoReportedBy.Select(i => i.ItemKey));
    }

    [Fact]
    public async Task OneSourceReusingAHeadlineKeepsBothItems()
    {
        var section = new Section("world", "World", "");
        var config = Config([section], Source("wire", "world"));
        await SaveAsync("wire", Item("a", 1, title: "Ceasefire talks resume over disputed ridge"), Item("b", 2, title: "Ceasefire talks resume over disputed ridge"));

        var page = await _pages.GetAsync(config, section, ItemCursor.Newest, 10, CancellationToken.None);

        Assert.Equal(2, page.Entries.Count);
    }

    [Fact]
    public async Task HeadlinesFarApartInTimeAreDifferentStories()
    {
        var section = new Section("world", "World", "");
        var config = Config([section], Source("wire", "world"), Source("capitol", "world"));
        await SaveAsync("wire", Item("w", 0, title: "Parliament returns from summer recess"));
        await SaveAsync("capitol", Item("c", 24 * 60, title: "Parliament returns from summer recess"));

        var page = await _pages.GetAsync(config, section, ItemCursor.Newest, 10, CancellationToken.None);

        Assert.Equal(2, page.Entries.Count);
    }

    [Fact]
    public async Task RulesFilterByCategoryKeywordAndLanguage()
    {
        var include = new RuleMatcher(["Technology"], new System.Text.RegularExpressions.Regex("chip|software", System.Text.RegularExpressions.RegexOptions.IgnoreCase), ["en"]);
        var exclude = new RuleMatcher(["Sponsored"], null, []);
        var section = new Section("tech", "Tech", "", new SectionRules(include, exclude));
        var config = Config([section], Source("wire", "tech"), Source("london", "tech"), Source("zeitung", "tech"), Source("unnamed", "tech"));
        await SaveAsync("wire",
            Item("category", 1, title: "Minister opens a new research campus", categories: ["Technology"]),
            Item("keyword", 2, title: "New chip promises longer battery life", categories: ["Business"]),
            Item("neither", 3, title: "Storm closes the coastal road overnight", categories: ["Weather"]),
            Item("sponsored", 4, title: "Software deals of the week for readers", categories: ["Technology", "Sponsored"]));
        // Topics that match, in other languages: "en" takes a regional English, and neither German nor a feed that names no language.
        await SaveInLanguageAsync("london", "en-GB", Item("regional", 5, title: "Chip plant plans approved by the council", categories: ["Technology"]));
        await SaveInLanguageAsync("zeitung", "de", Item("german", 6, title: "Neue Software für Behörden vorgestellt", categories: ["Technology"]));
        await SaveInLanguageAsync("unnamed", null, Item("unnamed", 7, title: "Software update reaches older phones", categories: ["Technology"]));

        var page = await _pages.GetAsync(config, section, ItemCursor.Newest, 10, CancellationToken.None);

        Assert.Equal(["regional", "keyword", "category"], page.Entries.Select(e => e.Item.ItemKey));
    }

    [Fact]
    public async Task APrimaryOnlySectionShowsOnlyItemsNoEarlierSectionOfTheSourceTook()
    {
        var politics = new Section("politics", "Politics", "", new SectionRules(new RuleMatcher(["Politics"], null, []), RuleMatcher.Empty));
        var world = new Section("world", "World", "", SectionRules.AcceptAll, PrimaryOnly: true);
        var config = Config([politics, world], Source("capitol", "politics", "world"));
        await SaveAsync("capitol",
            Item("vote", 1, title: "Assembly passes the budget after a night session", categories: ["Politics"]),
            Item("summit", 2, title: "Leaders meet at the regional summit in Valdoria", categories: ["Diplomacy"]));

        var worldPage = await _pages.GetAsync(config, world, ItemCursor.Newest, 10, CancellationToken.None);
        var politicsPage = await _pages.GetAsync(config, politics, ItemCursor.Newest, 10, CancellationToken.None);

        Assert.Equal(["summit"], worldPage.Entries.Select(e => e.Item.ItemKey));
        Assert.Equal(["vote"], politicsPage.Entries.Select(e => e.Item.ItemKey));
    }
}
