using Feeds.Core.Normalization;
using Feeds.Core.Sources;
using Feeds.Core.Storage;

namespace Feeds.Tests.Storage.Contracts;

/// <summary>The promises of <see cref="ISearchStore"/>: matches by words, phrases and exclusions, pages in stored order, related items, an index that follows the items.</summary>
public abstract class SearchStoreContract<TStores> : StoreContract<TStores> where TStores : IStoreFactory, new()
{
    private static NormalizedItem Story(string key, string title, string? summary = null, DateTimeOffset? published = null) =>
        Item(key, published: published ?? Now.AddHours(-1), title: title) with { SummaryText = summary };

    protected async Task<string[]> SearchAsync(string text, string[]? sourceIds = null, ItemCursor? cursor = null, int limit = 100)
    {
        Assert.True(SearchQuery.TryParse(text, out var query, out var error), error);
        return (await Store.Search.SearchAsync(query, sourceIds ?? ["wire", "desk"], cursor ?? ItemCursor.Newest, limit, None))
            .Select(i => i.ItemKey).ToArray();
    }

    protected async Task SaveNewsAsync()
    {
        await SaveAsync("wire",
            Story("w1", "Harbour bridge reopens after storm repairs", "Engineers finished the work on the harbour bridge overnight."),
            Story("w2", "Storm closes schools across the north", "Heavy rain and wind kept pupils at home."),
            Story("w3", "Café owners protest new rent rules", "The city council meets on Tuesday."));
        await SaveAsync("desk",
            Story("d1", "Council approves bridge budget", "Repairs to the old bridge start in spring."),
            Story("d2", "Election night: exit poll shows a close race"));
        await SaveAsync("other", Story("o1", "Bridge tournament draws record crowd"));
    }

    [Fact]
    public async Task EveryWordMustMatchInTitleOrSummaryAndCaseDoesNotCount()
    {
        await SaveNewsAsync();

        Assert.Equal(["d1", "w1"], await SearchAsync("bridge REPAIRS"));
        Assert.Equal(["w3"], await SearchAsync("CAFÉ"));
    }

    [Fact]
    public async Task APhraseMatchesItsWordsInARowAndAnExclusionRemovesItsMatches()
    {
        await SaveNewsAsync();

        Assert.Equal(["d2"], await SearchAsync("\"exit poll\""));
        Assert.Empty(await SearchAsync("\"poll exit\""));
        Assert.Equal(["d1"], await SearchAsync("bridge -harbour"));
        Assert.Equal(["w2"], await SearchAsync("storm -\"harbour bridge\""));
    }

    [Fact]
    public async Task OnlyTheGivenSourcesAreSearched()
    {
        await SaveNewsAsync();

        Assert.Equal(["o1"], await SearchAsync("bridge", ["other"]));
        Assert.Equal(["w1"], await SearchAsync("bridge", ["wire"]));
        Assert.Empty(await SearchAsync("bridge", []));
    }

    [Fact]
    public async Task WordsThatAreOperatorsOfTheEngineAreSearchedAsWords()
    {
        await SaveAsync("wire", Story("w1", "NEAR the border, AND beyond: OR not"), Story("w2", "Other news"));

        Assert.Equal(["w1"], await SearchAsync("NEAR( AND OR NOT"));
        Assert.Equal(["w1"], await SearchAsync("border*^"));
        Assert.Equal(["w1"], await SearchAsync("'border'"));
        Assert.Equal(["w1"], await SearchAsync("\"the border\""));
    }

    [Fact]
    public async Task PagesWalkTheMatchesNewestStoredFirstBothWays()
    {
        for (var i = 0; i < 5; i++)
            await SaveAsync("wire", Story($"w{i}", $"Storm update {i}", published: Now.AddHours(-10 + i)));

        var older = new List<string[]>();
        var cursor = ItemCursor.Newest;
        while (true)
        {
            Assert.True(SearchQuery.TryParse("storm", out var query, out _));
            var page = await Store.Search.SearchAsync(query, ["wire"], cursor, 2, None);
            if (page.Count == 0)
                break;
            older.Add(page.Select(i => i.ItemKey).ToArray());
            cursor = ItemCursor.After(page[^1]);
        }
        var oldest = (await Store.Publishing.GetItemsAsync(["wire"], ItemCursor.Newest, 100, None)).Single(i => i.ItemKey == "w0");
        var newer = await SearchAsync("storm", ["wire"], ItemCursor.Before(oldest), 2);

        Assert.Equal([["w4", "w3"], ["w2", "w1"], ["w0"]], older);
        Assert.Equal(["w2", "w1"], newer);
    }

    [Fact]
    public async Task AChangedItemIsFoundByItsNewWordsAndAPrunedOneIsNoLongerFound()
    {
        await SaveAsync("wire", Story("w1", "Storm warning for the coast"), Story("w2", "Storm passes", published: Now.AddDays(-200)));
        await SaveAsync("wire", Story("w1", "Heatwave warning for the coast") with { ContentHash = "h2" });

        Assert.Equal(["w2"], await SearchAsync("storm"));
        Assert.Equal(["w1"], await SearchAsync("heatwave"));

        await Store.Retention.PruneAsync(_ => new RetentionSettings(MaxAgeDays: 90, MaxItemsPerSource: 0),
            _ => Task.FromResult<IReadOnlySet<long>>(new HashSet<long>()), None);

        Assert.Empty(await SearchAsync("storm"));
        Assert.Equal(["w1"], await SearchAsync("heatwave"));
    }

    [Fact]
    public async Task RelatedItemsShareTheRarerWordsBestFirstAndNeverTheItemOrTheExcludedOnes()
    {
        await SaveAsync("wire",
            Story("w1", "Volcano erupts near Reykjavik airport", "Flights cancelled as ash cloud spreads over Iceland."),
            Story("w2", "Ash cloud from Iceland volcano grounds flights", "Airlines cancel routes over the north Atlantic."),
            Story("w3", "Reykjavik airport reopens after volcano eruption"),
            Story("w4", "Football results from the weekend", "The league table after the weekend."));
        await SaveAsync("desk", Story("d1", "Iceland volcano: what we know about the ash cloud"));
        var items = await Store.Publishing.GetItemsAsync(["wire", "desk"], ItemCursor.Newest, 100, None);
        var w1 = items.Single(i => i.ItemKey == "w1");
        var d1 = items.Single(i => i.ItemKey == "d1");

        var related = (await Store.Search.GetRelatedAsync(w1, [d1.Id], 5, None)).Select(i => i.ItemKey).ToList();

        Assert.Equal(["w2", "w3"], related.Order());
        Assert.DoesNotContain("w4", related);
    }

    [Fact]
    public async Task AWordInTwoHundredItemsOrMoreDoesNotMakeThemRelated()
    {
        // "weekly" and "report" are in 200 items: common words, left out of the related query on both stores, so only the
        // item that shares the rarer words ("glacier", "patagonia") is related.
        await SaveAsync("desk", Enumerable.Range(1, 200)
            .Select(n => Story($"r{n}", $"Weekly report from district {n}", $"District {n} council minutes.", Now.AddHours(-2).AddMinutes(-n))).ToArray());
        await SaveAsync("wire",
            Story("w1", "Weekly report: Patagonia glacier retreats", "Scientists measured the glacier's retreat."),
            Story("w2", "Glacier in Patagonia loses a tenth of its ice", "A survey of the ice field."));
        var w1 = (await Store.Publishing.GetItemsAsync(["wire"], ItemCursor.Newest, 10, None)).Single(i => i.ItemKey == "w1");

        var related = (await Store.Search.GetRelatedAsync(w1, [w1.Id], 5, None)).Select(i => i.ItemKey).ToList();

        Assert.Equal(["w2"], related);
    }
}
