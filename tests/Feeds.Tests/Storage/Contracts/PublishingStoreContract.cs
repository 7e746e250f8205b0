using Feeds.Core.Normalization;
using Feeds.Core.Storage;

namespace Feeds.Tests.Storage.Contracts;

/// <summary>The promises of <see cref="IPublishingStore"/>: keyset pages, story matches and source versions.</summary>
public abstract class PublishingStoreContract<TStores> : StoreContract<TStores> where TStores : IStoreFactory, new()
{
    /// <summary>
    /// wire and desk, newest first: w-new, d-mid, then three items of the same minute by the order they were stored
    /// (d-tie, w-tie-2, w-tie-1), then w-old. "other" is never asked for.
    /// </summary>
    private async Task SaveTimelineAsync()
    {
        await SaveAsync("wire", Item("w-old", published: Now.AddHours(-5)), Item("w-tie-1", published: Now.AddHours(-3)),
            Item("w-tie-2", published: Now.AddHours(-3)), Item("w-new", published: Now.AddHours(-1)));
        await SaveAsync("desk", Item("d-tie", published: Now.AddHours(-3)), Item("d-mid", published: Now.AddHours(-2)));
        await SaveAsync("other", Item("o", published: Now.AddMinutes(-30)));
    }

    private async Task<string[]> PageAsync(ItemCursor cursor, int limit = 2) =>
        (await Store.Publishing.GetItemsAsync(["wire", "desk"], cursor, limit, None)).Select(i => i.ItemKey).ToArray();

    [Fact]
    public async Task OlderPagesWalkTheSourcesItemsNewestFirstWithTiesInTheOrderTheyWereStored()
    {
        await SaveTimelineAsync();

        var pages = new List<string[]>();
        var cursor = ItemCursor.Newest;
        while (true)
        {
            var page = await Store.Publishing.GetItemsAsync(["wire", "desk"], cursor, 2, None);
            if (page.Count == 0)
                break;
            pages.Add(page.Select(i => i.ItemKey).ToArray());
            cursor = ItemCursor.After(page[^1]);
        }

        Assert.Equal([["w-new", "d-mid"], ["d-tie", "w-tie-2"], ["w-tie-1", "w-old"]], pages);
    }

    [Fact]
    public async Task NewerPagesWalkBackUpAndAreStillReturnedNewestFirst()
    {
        await SaveTimelineAsync();
        var all = await Store.Publishing.GetItemsAsync(["wire", "desk"], ItemCursor.Newest, 100, None);

        var pages = new List<string[]>();
        var cursor = ItemCursor.Before(all[^1]);
        while (true)
        {
            var page = await Store.Publishing.GetItemsAsync(["wire", "desk"], cursor, 2, None);
            if (page.Count == 0)
                break;
            pages.Add(page.Select(i => i.ItemKey).ToArray());
            cursor = ItemCursor.Before(page[0]);
        }

        Assert.Equal([["w-tie-2", "w-tie-1"], ["d-mid", "d-tie"], ["w-new"]], pages);
        Assert.Equal(["w-new", "d-mid"], await PageAsync(ItemCursor.Newest));
    }

    [Fact]
    public async Task AStoredItemCarriesWhatWasSavedAndItsSource()
    {
        var item = Item("a", published: Now.AddHours(-2), title: "Harbour strike enters its third week", link: "https://example.com/strike") with
        {
            Id = "urn:wire:a",
            Summary = "<p>Dockers walked out.</p>",
            SummaryText = "Dockers walked out.",
            Content = "<p>Dockers walked out on Monday.</p>",
            Updated = Now.AddHours(-1),
            Categories = ["World", "Labour"],
            Enclosures = [new Enclosure("https://example.com/strike.mp3", "audio/mpeg", 1200)],
            Image = "https://example.com/strike.jpg",
            ReadingMinutes = 3,
        };
        await Store.Polls.SavePollAsync(State("wire") with { FeedTitle = "Harbor Wire", FeedLink = "https://wire.example.com/", FeedLanguage = "en" }, [item], None);

        var stored = Assert.Single(await Store.Publishing.GetItemsAsync(["wire"], ItemCursor.Newest, 10, None));

        Assert.Equal(("wire", "a", "urn:wire:a", "Harbour strike enters its third week", "https://example.com/strike"),
            (stored.SourceId, stored.ItemKey, stored.Guid, stored.Title, stored.Link));
        Assert.Equal(("<p>Dockers walked out.</p>", "Dockers walked out.", "<p>Dockers walked out on Monday.</p>"), (stored.SummaryHtml, stored.SummaryText, stored.ContentHtml));
        Assert.Equal((Now.AddHours(-2), Now.AddHours(-1), false), (stored.PublishedAt, stored.UpdatedAt, stored.DateIsEstimated));
        Assert.Equal("Jane Doe", Assert.Single(stored.Authors).Name);
        Assert.Equal(["World", "Labour"], stored.Categories);
        Assert.Equal(item.Enclosures, stored.Enclosures);
        Assert.Equal(("https://example.com/strike.jpg", 3), (stored.ImageUrl, stored.ReadingMinutes));
        Assert.Equal((item.LinkKey, item.HeadlineKey), (stored.LinkKey, stored.HeadlineKey));
        Assert.Equal(("Harbor Wire", "https://wire.example.com/", "en", "https://wire.example.com/rss"),
            (stored.SourceTitle, stored.SourceLink, stored.SourceLanguage, stored.SourceUrl));
    }

    [Fact]
    public async Task StoryMatchesFindALinkKeyAtAnyTimeAndAHeadlineKeyOnlyInTheWindowOldestFirst()
    {
        const string link = "https://news.example.com/strike", headline = "Harbour strike enters its third week";
        await SaveAsync("wire", Item("a", published: Now.AddDays(-10), link: link), Item("b", published: Now.AddHours(-1), title: headline),
            Item("c", published: Now.AddDays(-5), title: headline), Item("x", published: Now.AddHours(-1)));
        await SaveAsync("desk", Item("d", published: Now.AddHours(-2), link: "https://www.news.example.com/strike/?utm_source=rss"),
            Item("e", published: Now.AddMinutes(-30), title: headline.ToUpperInvariant() + "!"));
        await SaveAsync("other", Item("f", published: Now.AddHours(-1), link: link, title: headline));

        var matches = await Store.Publishing.GetStoryMatchesAsync(["wire", "desk"], [StoryKeys.LinkKey(link)!], [StoryKeys.HeadlineKey(headline)!],
            Now.AddDays(-2), Now, None);

        Assert.Equal(["a", "d", "b", "e"], matches.Select(m => m.ItemKey));
        Assert.Empty(await Store.Publishing.GetStoryMatchesAsync(["wire", "desk"], [], [], Now.AddDays(-2), Now, None));
    }

    [Fact]
    public async Task ASourceVersionGrowsOnlyWhenItsItemsChange()
    {
        var start = Store.Publishing.GetSourceVersion("wire");
        await SaveAsync("wire", Item("a"));
        var added = Store.Publishing.GetSourceVersion("wire");
        await SaveAsync("wire", Item("a"));
        await SaveAsync("wire");
        var unchanged = Store.Publishing.GetSourceVersion("wire");
        await SaveAsync("wire", Item("a", hash: "h2"));

        Assert.Equal(0, start);
        Assert.True(added > start);
        Assert.Equal(added, unchanged);
        Assert.True(Store.Publishing.GetSourceVersion("wire") > unchanged);
        Assert.Equal(0, Store.Publishing.GetSourceVersion("desk"));
    }

    [Fact]
    public async Task TheStoreVersionGrowsWhenAnySourcesItemsChangeAndOnlyThen()
    {
        var start = Store.Publishing.GetStoreVersion();
        await SaveAsync("wire", Item("a"));
        var afterWire = Store.Publishing.GetStoreVersion();
        await SaveAsync("wire", Item("a"));
        await SaveAsync("desk");
        var unchanged = Store.Publishing.GetStoreVersion();
        await SaveAsync("desk", Item("d"));

        Assert.Equal(0, start);
        Assert.True(afterWire > start);
        Assert.Equal(afterWire, unchanged);
        Assert.True(Store.Publishing.GetStoreVersion() > unchanged);
    }
}
