using Feeds.Core.Normalization;
using Feeds.Core.Publishing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Feeds.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Feeds.Tests.Storage;

/// <summary>
/// No store query binds one parameter per item, source or key: SQLite refuses more than 32,766, and a large feed
/// or a large section would fail every time it is read or saved.
/// </summary>
public sealed class BoundedQueryTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Now);
    private TempStore _temp = null!;

    public async Task InitializeAsync() => _temp = await TempStore.CreateAsync(_clock);

    public Task DisposeAsync()
    {
        _temp.Dispose();
        return Task.CompletedTask;
    }

    private static SourceState State(string sourceId) => new() { SourceId = sourceId, Url = $"https://{sourceId}.example.com/rss" };

    private static NormalizedItem Item(string key, string hash = "1", string? link = null, int minutesAgo = 60) => new NormalizedItem
    {
        Key = key,
        ContentHash = hash,
        Title = "Story " + key,
        Link = link ?? $"https://example.com/{key}",
        Published = Now.AddMinutes(-minutesAgo),
    }.WithStoryKeys();

    [Fact]
    public async Task APollOfAHundredThousandItemsIsSavedAndCounted()
    {
        var keys = Enumerable.Range(0, 100_000).Select(i => $"item-{i}").ToList();

        var first = await _temp.Polls.SavePollAsync(State("big"), keys.Select(k => Item(k)).ToList(), CancellationToken.None);
        var changed = await _temp.Polls.SavePollAsync(State("big"), keys.Select(k => Item(k, hash: "2")).ToList(), CancellationToken.None);

        Assert.Equal(new SaveResult(100_000, 0), first);
        Assert.Equal(new SaveResult(0, 100_000), changed);
    }

    [Fact]
    public async Task ASectionOfFortyThousandSourcesIsPagedWithItsStories()
    {
        var section = new Section("everything", "Everything", "");
        var sources = Enumerable.Range(0, 40_000)
            .Select(i => new Source($"s{i}", $"S{i}", SourceLocation.ForUrl(new Uri($"https://s{i}.example.com/rss")), ["everything"], TimeSpan.FromMinutes(30)))
            .ToList();
        var config = new FeedsConfig("feeds.json", [section], sources, new PublishingSettings());
        await _temp.Polls.SavePollAsync(State("s7"), [Item("a", link: "https://news.example.com/story", minutesAgo: 30)], CancellationToken.None);
        await _temp.Polls.SavePollAsync(State("s39999"), [Item("b", link: "https://news.example.com/story", minutesAgo: 10), Item("c", minutesAgo: 5)], CancellationToken.None);

        var page = await new SectionPages(_temp.Publishing).GetAsync(config, section, ItemCursor.Newest, 50, CancellationToken.None);

        // The same link from two sources is one story: the earliest report, with the other as "also reported by".
        Assert.Equal(["c", "a"], page.Entries.Select(e => e.Item.ItemKey));
        Assert.Equal("b", Assert.Single(page.Entries[1].AlsoReportedBy).ItemKey);
    }

    [Fact]
    public async Task StoryMembersTakeAHundredThousandStoryIds()
    {
        await _temp.Polls.SavePollAsync(State("wire"), [Item("a", link: "https://news.example.com/story")], CancellationToken.None);
        var story = Assert.Single(await _temp.Publishing.GetItemsAsync(["wire"], ItemCursor.Newest, 10, CancellationToken.None)).StoryId;
        var storyIds = Enumerable.Range(1, 100_000).Select(i => story + i).Append(story).ToList();

        var members = await _temp.Publishing.GetStoryMembersAsync(storyIds, CancellationToken.None);

        Assert.Equal("a", Assert.Single(members).ItemKey);
    }

    [Fact]
    public async Task PruningFiftyThousandItemsOfOneSourceWorks()
    {
        await _temp.Polls.SavePollAsync(State("big"), Enumerable.Range(0, 50_010).Select(i => Item($"item-{i}", minutesAgo: i)).ToList(), CancellationToken.None);

        var result = await _temp.Retention.PruneAsync(_ => new RetentionSettings(MaxAgeDays: 0, MaxItemsPerSource: 10), _ => Task.FromResult<IReadOnlySet<long>>(new HashSet<long>()), CancellationToken.None);

        Assert.Equal(50_000, result.Removed);
        Assert.Equal(10, (await _temp.Publishing.GetItemsAsync(["big"], ItemCursor.Newest, 100, CancellationToken.None)).Count);
    }
}
