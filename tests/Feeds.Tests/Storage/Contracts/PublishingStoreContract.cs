using Feeds.Core.Normalization;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Feeds.Tests.Support;

namespace Feeds.Tests.Storage.Contracts;

/// <summary>The promises of <see cref="IPublishingStore"/>: keyset pages, stories and source versions.</summary>
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

    private async Task<Dictionary<string, StoredItem>> StoredAsync(params string[] sourceIds) =>
        (await Store.Publishing.GetItemsAsync(sourceIds, ItemCursor.Newest, 1000, None)).ToDictionary(i => i.ItemKey);

    private static NormalizedItem Report(string key, DateTimeOffset published, string title, string lede) =>
        (Item(key, published: published, title: title) with { SummaryText = lede }).WithStoryKeys();

    [Fact]
    public async Task TheSameLinkFromAnySourceAndTheSameHeadlineFromAnotherSourceWithinTheWindowAreOneStory()
    {
        const string link = "https://news.example.com/strike", headline = "Harbour strike enters its third week";
        await SaveAsync("wire", Item("a", published: Now.AddDays(-10), link: link), Item("b", published: Now.AddHours(-1), title: headline),
            Item("c", published: Now.AddDays(-5), title: headline));
        await SaveAsync("desk", Item("d", published: Now.AddHours(-2), link: "https://www.news.example.com/strike/?utm_source=rss"),
            Item("e", published: Now.AddMinutes(-30), title: headline.ToUpperInvariant() + "!"), Item("x", published: Now.AddHours(-1)));

        var stored = await StoredAsync("wire", "desk");

        // A story is named by its first member's id: "a" for the link, "b" for the headline (c is outside the window).
        Assert.Equal([stored["a"].Id, stored["a"].Id], new[] { stored["a"].StoryId, stored["d"].StoryId });
        Assert.Equal([stored["b"].Id, stored["b"].Id], new[] { stored["b"].StoryId, stored["e"].StoryId });
        Assert.Equal((stored["c"].Id, stored["x"].Id), (stored["c"].StoryId, stored["x"].StoryId));
        var members = await Store.Publishing.GetStoryMembersAsync([stored["a"].StoryId, stored["b"].StoryId], None);
        Assert.Equal(["a", "d", "b", "e"], members.Select(m => m.ItemKey));
        Assert.Empty(await Store.Publishing.GetStoryMembersAsync([], None));
    }

    [Fact]
    public async Task AParaphrasedReportFromAnotherSourceJoinsTheStoryAndAnotherEventOfTheSameKindDoesNot()
    {
        await SaveAsync("wire", Report("quake", Now.AddHours(-6), "Magnitude 6.1 earthquake strikes off Hokkaido, no tsunami warning",
            "A magnitude 6.1 earthquake struck off the coast of Hokkaido early on Monday, the Japan Meteorological Agency said."));
        await SaveAsync("desk", Report("tremor", Now.AddHours(-5), "Strong quake shakes northern Japan",
                "Buildings swayed in Sapporo as a 6.1-magnitude tremor hit the seabed east of Hokkaido. Japan's weather agency ruled out a tsunami."),
            Report("chile", Now.AddHours(-4), "Magnitude 5.8 earthquake hits northern Chile",
                "A magnitude 5.8 earthquake struck near Antofagasta in northern Chile on Monday, the national seismological centre said."));

        var stored = await StoredAsync("wire", "desk");

        Assert.Equal(stored["quake"].Id, stored["tremor"].StoryId);
        Assert.Equal(stored["chile"].Id, stored["chile"].StoryId);
    }

    [Fact]
    public async Task AStoryItsSourceHasToldIsJoinedByItsNextReportOnlyWhenItIsTheSameArticle()
    {
        await SaveAsync("wire", Quake("quake", Now.AddHours(-6)));
        await SaveAsync("desk", Tremor("tremor", Now.AddHours(-5)));
        // Each of these is alike to the story's reports (no headline the same): told by a source the story already holds, it is another event.
        await SaveAsync("wire", Shaken("wire-again", Now.AddHours(-4)),
            (Quake("same-article", Now.AddHours(-4)) with { Link = "https://www.example.com/quake/?utm_source=rss" }).WithStoryKeys());
        await SaveAsync("radio", Report("radio", Now.AddHours(-3), "Hokkaido quake: no tsunami threat", QuakeLede),
            Report("radio-again", Now.AddHours(-3), "Tsunami ruled out after Hokkaido quake", QuakeLede));

        var stored = await StoredAsync("wire", "desk", "radio");

        var story = stored["quake"].Id;
        Assert.Equal([story, story, story], new[] { stored["tremor"].StoryId, stored["same-article"].StoryId, stored["radio"].StoryId });
        // The wire's next report, told after the wire's report in the story, starts a story of its own; the radio's
        // second, told in the poll that gave the story the radio's first, joins the most alike story the radio has not told.
        Assert.Equal((stored["wire-again"].Id, stored["wire-again"].Id), (stored["wire-again"].StoryId, stored["radio-again"].StoryId));
    }

    [Fact]
    public async Task AStoryItsSourceHasToldIsKnownHoweverManyLaterReportsItHas()
    {
        await SaveAsync("wire", Quake("quake", Now.AddHours(-10)));
        // More reports than are read of a story, each sharing more of the next report's names than the wire's does.
        for (var source = 0; source <= Math.Max(DbStoryIndex.ComparedPerItem, DbStoryIndex.ReportsPerStory); source++)
            await SaveAsync($"desk-{source}", Shaken($"shaken-{source}", Now.AddHours(-9)));
        await SaveAsync("wire", Report("wire-later", Now.AddHours(-8), "Tsunami ruled out as Sapporo sways", Shaken("lede", Now).SummaryText!));

        var stored = await StoredAsync("wire", "desk-0");
        Assert.Equal(stored["quake"].Id, stored["shaken-0"].StoryId);
        Assert.Equal(stored["wire-later"].Id, stored["wire-later"].StoryId);
    }

    [Fact]
    public async Task AStoryIsJudgedByItsReportsNotOnlyByThoseTheNewReportsNamesFind()
    {
        var morning = Now.AddHours(-20);
        await SaveAsync("wire", Report("freight", morning, "Freight train derails near Harrowgate in Valdoria",
            "Six wagons of a freight train left the rails near Harrowgate in northern Valdoria on Tuesday, spilling diesel, the rail operator Carrow Freight said."));
        await SaveAsync("desk", Report("goods", morning.AddHours(1), "Diesel spill after goods train derails at Harrowgate",
            "A goods train run by Carrow Freight derailed outside Harrowgate early on Tuesday, leaving six wagons on their sides and one leaking diesel."));
        await SaveAsync("herald", Report("homes", morning.AddHours(2), "Harrowgate homes evacuated over diesel leak",
            "Families near Harrowgate were moved from their homes after a Carrow Freight train derailed and spilled diesel across the line."));
        // The next day's derailment elsewhere in the country: found through Valdoria by the wire's report alone, and like
        // it, but not like the story's other two.
        var landslip = Report("landslip", morning.AddHours(14), "Landslip derails commuter train in northern Valdoria",
            "A commuter train from Eastmoor derailed in northern Valdoria on Wednesday after running into a landslip, injuring 12 passengers.");
        await SaveAsync("radio", landslip);

        var stored = await StoredAsync("wire", "desk", "herald", "radio");
        Assert.Equal([stored["freight"].Id, stored["freight"].Id], new[] { stored["goods"].StoryId, stored["homes"].StoryId });
        Assert.Equal(stored["landslip"].Id, stored["landslip"].StoryId);
    }

    [Fact]
    public async Task AReportIsComparedWithAFewStoredReportsHoweverManyShareItsNames()
    {
        // A busy day: 1,000 reports from 40 sources name Kyiv and Zelensky, each about a meeting of its own.
        for (var source = 0; source < 40; source++)
        {
            await SaveAsync($"busy-{source}", Enumerable.Range(0, 25).Select(n => source * 25 + n).Select(n => Report($"busy-{n}", Now.AddMinutes(-n),
                $"Zelensky meets {Envoy(n)} in Kyiv", $"In Kyiv on Sunday President Zelensky met {Envoy(n)}, the envoy of {Envoy(n + 7)}.")).ToArray());
        }
        await SaveAsync("wire", Report("bridge", Now.AddHours(-3), "Irpin bridge reopens to traffic",
            "Engineers reopened the Irpin bridge outside Kyiv, which carried 1,240 vehicles in its first hour, President Zelensky said."));

        using var measured = StoryPlacementMeasurements.Listen();
        await SaveAsync("desk", Report("traffic", Now.AddHours(-2), "Traffic returns to rebuilt bridge near Kyiv",
            "The rebuilt bridge over the Irpin river near Kyiv carried 1,240 vehicles within an hour of opening, Zelensky said."));

        var stored = await StoredAsync("wire", "desk");
        Assert.Equal(stored["bridge"].StoryId, stored["traffic"].StoryId);
        // Kyiv and Zelensky are too common to tell which event: the report is found by the Irpin bridge and its figure,
        // through the few postings of those, and compared with a few stored reports, not with the thousand.
        Assert.InRange(Assert.Single(measured.PostingsRead), 1, DbStoryIndex.CommonTermReports);
        Assert.InRange(Assert.Single(measured.Compared), 1, DbStoryIndex.ComparedPerItem + 2 * DbStoryIndex.ReportsPerKey);
    }

    [Fact]
    public async Task AReportSharingAHeadlineWithManyJoinsTheEarliestThoughOnlyAFewAreReadByIt()
    {
        // A live blog: one source repeats its headline hourly, each a story of its own (a source's items never join each
        // other's by their headline). Its words find the latest sixteen; the headline key the earliest few.
        const string headline = "Live: harbour strike updates";
        await SaveAsync("wire", Enumerable.Range(0, 24).Select(n => Item($"live-{n}", published: Now.AddHours(-26 + n), title: headline)).ToArray());

        using var measured = StoryPlacementMeasurements.Listen();
        await SaveAsync("desk", Item("desk-live", published: Now.AddMinutes(-30), title: headline));

        var stored = await StoredAsync("wire", "desk");
        Assert.Equal(24, stored.Values.Where(i => i.ItemKey.StartsWith("live-", StringComparison.Ordinal)).Select(i => i.StoryId).Distinct().Count());
        Assert.Equal(stored["live-0"].Id, stored["desk-live"].StoryId);
        // The sixteen its words found, each again by the headline it shares, and the earliest four by the headline alone.
        Assert.Equal(2 * DbStoryIndex.ComparedPerItem + DbStoryIndex.ReportsPerKey, Assert.Single(measured.Compared));
    }

    private const string QuakeLede = "A magnitude 6.1 earthquake struck off the coast of Hokkaido early on Monday, the Japan Meteorological Agency said.";

    private static NormalizedItem Quake(string key, DateTimeOffset published, string hash = "h1") =>
        Report(key, published, "Magnitude 6.1 earthquake strikes off Hokkaido, no tsunami warning", QuakeLede) with { ContentHash = hash };

    private static NormalizedItem Tremor(string key, DateTimeOffset published) =>
        Report(key, published, "Strong quake shakes northern Japan",
            "Buildings swayed in Sapporo as a 6.1-magnitude tremor hit the seabed east of Hokkaido. Japan's weather agency ruled out a tsunami.");

    private static NormalizedItem Shaken(string key, DateTimeOffset published) =>
        Report(key, published, "Sapporo shaken as strong quake hits off Hokkaido",
            "Buildings swayed in Sapporo as a 6.1-magnitude tremor hit the seabed east of Hokkaido. Japan's weather agency ruled out a tsunami.");

    private static NormalizedItem Strike(string key, DateTimeOffset published, string hash = "h1") =>
        Report(key, published, "Dockers at Rotterdam extend strike into a third week",
            "Union leaders at the port of Rotterdam said 4,300 dockers would stay out until Friday.") with { ContentHash = hash };

    [Fact]
    public async Task AnEditedReportIsFoundAndComparedByItsNewTermsAndKeepsItsStory()
    {
        // "fixed" was first a report of the strike, then corrected into one of the quake; "moved" the other way round.
        await SaveAsync("wire", Strike("fixed", Now.AddHours(-6)), Quake("moved", Now.AddHours(-6)));
        var before = await StoredAsync("wire");
        await SaveAsync("wire", Quake("fixed", Now.AddHours(-6), hash: "h2"), Strike("moved", Now.AddHours(-6), hash: "h2"));

        await SaveAsync("desk", Tremor("tremor", Now.AddHours(-5)));

        var stored = await StoredAsync("wire", "desk");
        Assert.Equal(stored["fixed"].Id, stored["tremor"].StoryId);
        Assert.Equal((before["fixed"].StoryId, before["moved"].StoryId), (stored["fixed"].StoryId, stored["moved"].StoryId));
    }

    [Fact]
    public async Task AnEditedReportIsComparedByItsNewStoryKeys()
    {
        const string headline = "Harbour strike enters its third week";
        await SaveAsync("wire", Item("renamed", published: Now.AddHours(-3), title: headline));
        await SaveAsync("wire", Item("renamed", hash: "h2", published: Now.AddHours(-3), title: "Council approves the budget of a new library"));

        await SaveAsync("desk", Item("same-old-headline", published: Now.AddHours(-2), title: headline));

        var stored = await StoredAsync("wire", "desk");
        Assert.Equal(stored["same-old-headline"].Id, stored["same-old-headline"].StoryId);
    }

    [Fact]
    public async Task AReportRetentionRemovedIsNoLongerOneToJoin()
    {
        const string link = "https://news.example.com/quake";
        await SaveAsync("wire", (Quake("quake", Now.AddDays(-1)) with { Link = link }).WithStoryKeys(), Item("later", published: Now.AddHours(-1)));
        await Store.Retention.PruneAsync(_ => new RetentionSettings(MaxAgeDays: 0, MaxItemsPerSource: 1), _ => Task.FromResult<IReadOnlySet<long>>(new HashSet<long>()), None);
        Assert.Equal(["later"], await KeysAsync("wire"));

        await SaveAsync("desk", (Tremor("tremor", Now.AddDays(-1).AddHours(1)) with { Link = link }).WithStoryKeys());

        var tremor = (await StoredAsync("desk"))["tremor"];
        Assert.Equal(tremor.Id, tremor.StoryId);
    }

    [Fact]
    public async Task ADatabaseUpgradedWithReportsInItPlacesNewReportsAgainstThem()
    {
        const string link = "https://news.example.com/strike";
        await SaveAsync("wire", Quake("quake", Now.AddHours(-6)), Item("linked", published: Now.AddHours(-6), link: link));
        await SaveAsync("desk", Tremor("tremor", Now.AddHours(-5)));
        var story = (await StoredAsync("wire"))["quake"].Id;

        await Stores.UpgradeFromBeforeStoryReportsAsync(Store);
        await SaveAsync("other", Tremor("aftershock", Now.AddHours(-4)), Item("same-link", published: Now.AddHours(-4), link: link));

        var stored = await StoredAsync("wire", "desk", "other");
        Assert.Equal([story, story, story], new[] { stored["quake"].StoryId, stored["tremor"].StoryId, stored["aftershock"].StoryId });
        Assert.Equal(stored["linked"].Id, stored["same-link"].StoryId);
    }

    [Fact]
    public async Task ABuildThatReadsTermsAnotherWayReadsTheWindowsReportsAgainAtStart()
    {
        await SaveAsync("wire", Report("raid", Now.AddHours(-5), "Armed gang steals watches worth £250k from Kelmsford jeweller",
            "Three men armed with sledgehammers stole watches worth £250k from a jeweller on Mercer Street on Friday afternoon, police said."));
        await SaveAsync("herald", Report("council", Now.AddDays(-3), "Kelmsford council approves town centre plan",
            "Councillors approved a plan for Mercer Street on Tuesday."));
        var story = (await StoredAsync("wire"))["raid"].Id;
        // As a build that read terms another way left them: the reports' terms and postings are in a form this build's
        // reports share nothing with.
        await Stores.ExecuteAsync(Store, """
            UPDATE story_reports SET story_terms = 'another:2 reading:3';
            DELETE FROM story_terms;
            INSERT INTO story_terms (term, published_at, item_id) SELECT 'another', published_at, item_id FROM story_reports;
            UPDATE story_terms_reading SET reading = 1;
            """);

        await Store.Schema.MigrateAsync(None);
        // Another desk's words for the raid: it meets the wire's report only by the terms this build reads.
        await SaveAsync("gazette", Report("robbers", Now.AddHours(-3), "Robbers smash their way into Kelmsford jewellery shop",
            "Raiders escaped with 250,000 pounds of luxury timepieces from the shop on Mercer Street, leaving staff shaken."));

        var stored = await StoredAsync("wire", "gazette");
        Assert.Equal([story, story], new[] { stored["raid"].StoryId, stored["robbers"].StoryId });
    }

    [Fact]
    public async Task AnEditInTheSameMillisecondAsTheLastChangeSeenIsAChangeAfterIt()
    {
        await SaveAsync("wire", Item("first", published: Now.AddHours(-2)), Item("second", published: Now.AddHours(-1)));
        var seen = await Store.Publishing.GetLastChangeAsync(None);

        // The clock has not moved: the edit is stamped with the millisecond of the change seen, on an older row.
        await SaveAsync("wire", Item("first", hash: "h2", published: Now.AddHours(-2), title: "First, corrected"));

        var first = (await StoredAsync("wire"))["first"];
        Assert.Contains(first.StoryId, (await Store.Publishing.GetStoriesChangedAfterAsync(seen, 10, None)).Select(s => s.StoryId));
    }

    /// <summary>A name of letters only, its own for each number (story terms read no digits inside a word).</summary>
    private static string Envoy(int n) => "Envoy " + string.Concat(n.ToString("D4").Select(digit => (char)('a' + digit - '0'))).Insert(0, "V");

    [Fact]
    public async Task AStoryKeepsItsIdAndMembersWhenReportsArriveAndChange()
    {
        const string link = "https://news.example.com/vote";
        await SaveAsync("wire", Item("first", published: Now.AddHours(-3), link: link));
        var story = (await StoredAsync("wire"))["first"].StoryId;

        await SaveAsync("desk", Item("later", published: Now.AddHours(-2), link: link));
        await SaveAsync("wire", Item("first", hash: "h2", published: Now.AddHours(-3), link: link, title: "Vote result: the count is in"));
        await SaveAsync("other", Item("earlier-but-stored-last", published: Now.AddHours(-4), link: link));

        var stored = await StoredAsync("wire", "desk", "other");
        Assert.All(stored.Values, item => Assert.Equal(story, item.StoryId));
        Assert.Equal(["earlier-but-stored-last", "first", "later"], (await Store.Publishing.GetStoryMembersAsync([story], None)).Select(m => m.ItemKey));
    }

    [Fact]
    public async Task TheLatestStoriesAreThoseWithEnoughReportsWhoseLatestReportIsNewestFirst()
    {
        await SaveAsync("wire", Item("old", published: Now.AddHours(-9), link: "https://news.example.com/old"),
            Item("new", published: Now.AddHours(-3), link: "https://news.example.com/new"), Item("alone", published: Now.AddHours(-1)));
        await SaveAsync("desk", Item("old-2", published: Now.AddHours(-8), link: "https://news.example.com/old"),
            Item("new-2", published: Now.AddHours(-2), link: "https://news.example.com/new"));
        var stored = await StoredAsync("wire", "desk");

        Assert.Equal([stored["new"].Id, stored["old"].Id], await Store.Publishing.GetLatestStoriesAsync(minMembers: 2, limit: 10, None));
        Assert.Equal([stored["alone"].Id], await Store.Publishing.GetLatestStoriesAsync(minMembers: 1, limit: 1, None));
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
