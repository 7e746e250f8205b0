using Feeds.Core.Fetching;
using Feeds.Core.Storage;

namespace Feeds.Tests.Storage.Contracts;

/// <summary>The promises of <see cref="IPollStore"/>: what one poll reads and saves.</summary>
public abstract class PollStoreContract<TStores> : StoreContract<TStores> where TStores : IStoreFactory, new()
{
    [Fact]
    public async Task SavingTheSameItemsAgainAddsNothing()
    {
        var first = await SaveAsync("wire", Item("a"), Item("b"));
        var again = await SaveAsync("wire", Item("a"), Item("b"));

        Assert.Equal(new SaveResult(2, 0), first);
        Assert.Equal(new SaveResult(0, 0), again);
        Assert.Equal(["a", "b"], (await KeysAsync("wire")).Order());
    }

    [Fact]
    public async Task AChangedItemIsUpdatedInPlace()
    {
        await SaveAsync("wire", Item("a"));
        var before = Assert.Single(await Store.Publishing.GetItemsAsync(["wire"], ItemCursor.Newest, 50, None));

        var result = await SaveAsync("wire", Item("a", hash: "h2", title: "Corrected headline"));
        var after = Assert.Single(await Store.Publishing.GetItemsAsync(["wire"], ItemCursor.Newest, 50, None));

        Assert.Equal(new SaveResult(0, 1), result);
        Assert.Equal(before.Id, after.Id);
        Assert.Equal("Corrected headline", after.Title);
    }

    [Fact]
    public async Task AnItemGivenTwiceInOnePollIsStoredOnceAsLastGiven()
    {
        // Normalization never hands this over (one item a key), but a store must not fail or store two rows on it.
        var result = await SaveAsync("wire", Item("a", title: "First"), Item("b"), Item("a", hash: "h2", title: "Second"));

        Assert.Equal(2, result.Added);
        Assert.Equal(["a", "b"], (await KeysAsync("wire")).Order());
        var items = await Store.Publishing.GetItemsAsync(["wire"], ItemCursor.Newest, 50, None);
        Assert.Contains(items, i => i.Title == "Second");
        Assert.DoesNotContain(items, i => i.Title == "First");
    }

    [Fact]
    public async Task ThePollsItemsOfOneTimeAreListedInTheOrderGiven()
    {
        // Undated items are dated by the save, all the same time: insertion order (the row id) orders them.
        await SaveAsync("wire", Item("c", title: "C"), Item("a", title: "A"), Item("b", title: "B"));

        var items = await Store.Publishing.GetItemsAsync(["wire"], ItemCursor.Newest, 50, None);

        Assert.Equal(["C", "A", "B"], items.OrderBy(i => i.Id).Select(i => i.Title));
    }

    [Fact]
    public async Task AFeedOfThousandsOfItemsIsStoredWholeInTheOrderGivenAndOnceOnly()
    {
        // More items than one group and than one upsert holds (SQLite cuts a poll into upserts of at most 500 rows),
        // one key given again across a cut: every item stored once, as last given, in the order given.
        var items = Enumerable.Range(0, 2_345).Select(i => Item($"k{i:D5}", title: $"T{i:D5}")).ToList();
        items.Add(Item("k00003", hash: "h2", title: "Again"));

        var first = await SaveAsync("wire", [.. items]);
        var again = await SaveAsync("wire", [.. items.Where(item => item.Title != "T00003")]);

        Assert.Equal(2_345, first.Added);
        Assert.Equal(new SaveResult(0, 0), again);
        var stored = await Store.Publishing.GetItemsAsync(["wire"], ItemCursor.Newest, 3_000, None);
        Assert.Equal(Enumerable.Range(0, 2_345).Select(i => i == 3 ? "Again" : $"T{i:D5}"), stored.OrderBy(i => i.Id).Select(i => i.Title));
    }

    [Fact]
    public async Task AnItemWithoutADateIsDatedWhenFirstStoredAndKeepsThatDate()
    {
        await SaveAsync("wire", Item("a"));
        Clock.Advance(TimeSpan.FromHours(1));
        await SaveAsync("wire", Item("a", hash: "h2"));

        var item = Assert.Single(await Store.Publishing.GetItemsAsync(["wire"], ItemCursor.Newest, 50, None));
        Assert.Equal(Now, item.PublishedAt);
        Assert.True(item.DateIsEstimated);
    }

    [Fact]
    public async Task APollIsSavedWholeOrNotAtAllSoValidatorsAreNeverKeptWithoutTheirItems()
    {
        await Store.Polls.SavePollAsync(State("wire") with { Validators = new Validators("\"v1\"", null) }, [Item("a")], None);
        // A bug upstream hands over an item no store can keep (an item without its identity), after one it can.
        var broken = Item("c") with { Key = null! };

        await Assert.ThrowsAnyAsync<Exception>(() => Store.Polls.SavePollAsync(
            State("wire") with { Validators = new Validators("\"v2\"", "Sat, 28 Nov 2026 12:00:00 GMT") }, [Item("b"), broken], None));

        var state = await Store.Polls.GetSourceStateAsync("wire", None);
        Assert.Equal(new Validators("\"v1\"", null), state!.Validators);
        Assert.Equal(["a"], await KeysAsync("wire"));
        Assert.Equal(["a"], (await Store.Polls.GetItemHashesAsync("wire", None)).Keys);
        // A fault of the program, not of the machine: nothing to report as the store being unable to write.
        Assert.Null(Store.Polls.WriteFault);
    }

    [Fact]
    public async Task PollsSavedAtOnceAreEachSavedWhole()
    {
        var sources = Enumerable.Range(1, 12).Select(n => $"source-{n}").ToList();
        var (storeVersion, changes) = (Store.Publishing.GetStoreVersion(), Store.Status.ChangeCount);

        var results = await Task.WhenAll(sources.Select(sourceId => Task.Run(() =>
            Store.Polls.SavePollAsync(State(sourceId), Enumerable.Range(1, 10).Select(i => Item($"{sourceId}-{i}")).ToList(), None))));

        Assert.All(results, result => Assert.Equal(new SaveResult(10, 0), result));
        foreach (var sourceId in sources)
            Assert.Equal(10, (await Store.Polls.GetItemHashesAsync(sourceId, None)).Count);
        Assert.Equal(sources.Order(StringComparer.Ordinal), (await Store.Status.GetSourceStatesAsync(None)).Select(s => s.SourceId));
        Assert.True(Store.Publishing.GetStoreVersion() > storeVersion);
        Assert.All(sources, sourceId => Assert.True(Store.Publishing.GetSourceVersion(sourceId) > 0));
        Assert.True(Store.Status.ChangeCount >= changes + sources.Count, "a saved poll was not counted");
    }

    [Fact]
    public async Task ItemHashesAreThoseOfTheSourcesItemsAsLastSaved()
    {
        await SaveAsync("wire", Item("a"), Item("b"));
        await SaveAsync("desk", Item("c", hash: "h7"));
        await SaveAsync("wire", Item("a", hash: "h2"));

        Assert.Equal(new Dictionary<string, string> { ["a"] = "h2", ["b"] = "h1" }, await Store.Polls.GetItemHashesAsync("wire", None));
        Assert.Equal(new Dictionary<string, string> { ["c"] = "h7" }, await Store.Polls.GetItemHashesAsync("desk", None));
        Assert.Empty(await Store.Polls.GetItemHashesAsync("never-polled", None));
    }

    [Fact]
    public async Task EverySourceStateFieldIsReadBackAsSaved()
    {
        var state = new SourceState
        {
            SourceId = "wire",
            Url = "https://wire.example.com/rss",
            Validators = new Validators("\"etag-1\"", "Fri, 27 Nov 2026 10:00:00 GMT"),
            LastAttemptAt = Now.AddMinutes(-1),
            LastSuccessAt = Now.AddMinutes(-31),
            LastOutcome = PollOutcome.Failed,
            LastError = "HTTP 503: the server is busy",
            LastErrorCategory = "HttpStatus",
            LastHttpStatus = 503,
            ConsecutiveFailures = 2,
            NextDueAt = Now.AddMinutes(29),
            RetryNotBefore = Now.AddMinutes(59),
            MovedTo = "https://wire.example.org/feed",
            RedirectCandidate = "https://wire.example.net/feed",
            GoneSince = Now.AddDays(-1),
            BackoffLevel = 3,
            PollInterval = TimeSpan.FromMinutes(30),
            Rhythm = new ItemRhythm(Now.AddDays(-2), 40),
            FeedMinInterval = TimeSpan.FromHours(1),
            ItemsLeftOut = 12,
            FeedTitle = "Harbor Wire",
            FeedLink = "https://wire.example.com/",
            FeedLanguage = "en-gb",
        };

        await Store.Polls.SavePollAsync(state, [], None);

        Assert.Equal(state, await Store.Polls.GetSourceStateAsync("wire", None));
        Assert.Equal(state, Assert.Single(await Store.Status.GetSourceStatesAsync(None)));
        Assert.Null(await Store.Polls.GetSourceStateAsync("never-polled", None));
    }

    [Fact]
    public async Task AFeedsTitleLinkAndLanguageOnceKnownAreKeptWhenAPollTellsNone()
    {
        var known = State("wire") with { FeedTitle = "Harbor Wire", FeedLink = "https://wire.example.com/", FeedLanguage = "en" };
        await Store.Polls.SavePollAsync(known, [], None);

        await Store.Polls.SavePollAsync(State("wire") with { LastOutcome = PollOutcome.Updated }, [], None);

        var state = await Store.Polls.GetSourceStateAsync("wire", None);
        Assert.Equal(PollOutcome.Updated, state!.LastOutcome);
        Assert.Equal(("Harbor Wire", "https://wire.example.com/", "en"), (state.FeedTitle, state.FeedLink, state.FeedLanguage));
    }

    [Fact]
    public async Task AWriteFaultIsReportedOnTheStoreAndTheSourceUntilASaveSucceeds()
    {
        await SaveAsync("wire", Item("a"));
        var poll = State("wire") with { Validators = new Validators("\"v2\"", null), LastOutcome = PollOutcome.Updated };

        await using (await Stores.BreakWritesAsync(Store))
        {
            Clock.Advance(TimeSpan.FromMinutes(1));
            await Assert.ThrowsAnyAsync<Exception>(() => Store.Polls.SavePollAsync(poll, [Item("b")], None));
            var fault = Assert.IsType<StoreFault>(Store.Polls.WriteFault);
            Assert.Equal(Clock.GetUtcNow(), fault.Since);
            Assert.False(string.IsNullOrWhiteSpace(fault.Reason));
        }

        // Writable again, but nothing saved yet: still reported, and the lost poll shows on the source over what is stored.
        var reason = Store.Polls.WriteFault?.Reason;
        Assert.NotNull(reason);
        var shown = await Store.Polls.GetSourceStateAsync("wire", None);
        Assert.Equal((PollOutcome.Failed, "Storage", Clock.GetUtcNow()), (shown!.LastOutcome, shown.LastErrorCategory, shown.LastAttemptAt));
        Assert.Contains(reason, shown.LastError);
        Assert.Equal(Validators.None, shown.Validators);
        Assert.Equal(shown, Assert.Single(await Store.Status.GetSourceStatesAsync(None)));
        Assert.Equal(["a"], await KeysAsync("wire"));
        Assert.True(await Store.Status.IsHealthyAsync(None));

        Assert.Equal(new SaveResult(1, 0), await Store.Polls.SavePollAsync(poll, [Item("b")], None));

        Assert.Null(Store.Polls.WriteFault);
        var saved = await Store.Polls.GetSourceStateAsync("wire", None);
        Assert.Equal((PollOutcome.Updated, null, "\"v2\""), (saved!.LastOutcome, saved.LastErrorCategory, saved.Validators.ETag));
        Assert.Equal(["a", "b"], (await KeysAsync("wire")).Order());
    }
}
