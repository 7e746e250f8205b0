using Feeds.Core.Fetching;
using Feeds.Core.Sources;
using Feeds.Core.Storage;

namespace Feeds.Tests.Storage.Contracts;

/// <summary>The promises of <see cref="IStatusStore"/>: every source's state, statistics per source, a change count, health.</summary>
public abstract class StatusStoreContract<TStores> : StoreContract<TStores> where TStores : IStoreFactory, new()
{
    [Fact]
    public async Task SourceStatesAreEverySavedSourceInOrderOfId()
    {
        await SaveAsync("wire");
        await SaveAsync("alpha", Item("a"));
        await SaveAsync("desk");

        Assert.Equal(["alpha", "desk", "wire"], (await Store.Status.GetSourceStatesAsync(None)).Select(s => s.SourceId));
    }

    [Fact]
    public async Task StreamedStatesAreEachSourcesFullStateOnceWithItsLostPollShownOverIt()
    {
        var wire = State("wire") with
        {
            Validators = new Validators("\"v1\"", "Sat, 28 Nov 2026 11:00:00 GMT"),
            LastAttemptAt = Now, LastSuccessAt = Now, LastOutcome = PollOutcome.Updated, LastHttpStatus = 200,
            NextDueAt = Now.AddMinutes(30), NextDueRule = "rhythm", PollInterval = TimeSpan.FromMinutes(30),
            Rhythm = new ItemRhythm(Now.AddDays(-2), 12), ItemsLeftOut = 3, BodyHash = "body", FeedTitle = "The Wire",
        };
        await Store.Polls.SavePollAsync(wire, [Item("a")], None);
        await SaveAsync("desk");
        await SaveAsync("alpha");
        await using (await Stores.BreakWritesAsync(Store))
        {
            Clock.Advance(TimeSpan.FromMinutes(1));
            await Assert.ThrowsAnyAsync<Exception>(() => Store.Polls.SavePollAsync(State("desk"), [Item("b")], None));
            // A source whose first poll was lost is known by that poll alone.
            await Assert.ThrowsAnyAsync<Exception>(() => Store.Polls.SavePollAsync(State("newcomer"), [Item("c")], None));
        }

        var streamed = new List<SourceState>();
        await foreach (var state in Store.Status.ReadSourceStatesAsync(None))
            streamed.Add(state);

        // Each the same as the poll store's read of that one source, which shows a lost poll too.
        string[] ids = ["alpha", "desk", "newcomer", "wire"];
        var oneByOne = new List<SourceState?>();
        foreach (var id in ids)
            oneByOne.Add(await Store.Polls.GetSourceStateAsync(id, None));
        Assert.Equal(oneByOne, streamed.OrderBy(s => s.SourceId, StringComparer.Ordinal));
        Assert.Equal(wire, streamed.Single(s => s.SourceId == "wire"));
        Assert.All(streamed.Where(s => s.SourceId is "desk" or "newcomer"), lost =>
            Assert.Equal((PollOutcome.Failed, "Storage", Clock.GetUtcNow()), (lost.LastOutcome, lost.LastErrorCategory, lost.LastAttemptAt)));
    }

    [Fact]
    public async Task ItemStatisticsCountEachSourcesItemsTheirDatesAndTheLastArrival()
    {
        await SaveAsync("wire", Item("a", published: Now.AddDays(-3)), Item("b", published: Now.AddDays(-1)));
        Clock.Advance(TimeSpan.FromHours(1));
        // An undated item counts by when it was first stored.
        await SaveAsync("wire", Item("c"));
        await SaveAsync("desk", Item("d", published: Now.AddHours(-2)));
        await SaveAsync("quiet");
        Clock.Advance(TimeSpan.FromHours(1));
        await SaveAsync("wire", Item("a", hash: "h2", published: Now.AddDays(-3)));

        var statistics = await Store.Status.GetItemStatisticsAsync(None);

        Assert.Equal(new ItemStatistics(3, Now.AddDays(-3), Now.AddHours(1), Now.AddHours(1)), statistics["wire"]);
        Assert.Equal(new ItemStatistics(1, Now.AddHours(-2), Now.AddHours(-2), Now.AddHours(1)), statistics["desk"]);
        Assert.False(statistics.ContainsKey("quiet"));
        Assert.True(await Store.Status.IsHealthyAsync(None));
    }

    [Fact]
    public async Task ChangeCountGrowsWithEverySavedPollAndEveryDeletionAndOnlyThen()
    {
        var start = Store.Status.ChangeCount;
        await SaveAsync("wire", Item("a", published: Now.AddDays(-400)), Item("b", published: Now.AddDays(-1)));
        var afterItems = Store.Status.ChangeCount;
        // A poll that changes no item (a failure, a 304) still changes what its state shows.
        await Store.Polls.SavePollAsync(State("wire") with { LastOutcome = PollOutcome.Failed, LastErrorCategory = "Timeout", ConsecutiveFailures = 1 }, [], None);
        var afterFailure = Store.Status.ChangeCount;
        await Store.Status.GetSourceStatesAsync(None);
        await Store.Status.GetItemStatisticsAsync(None);
        var afterReads = Store.Status.ChangeCount;
        await Store.Retention.PruneAsync(_ => new RetentionSettings(MaxAgeDays: 90, MaxItemsPerSource: 0),
            _ => Task.FromResult<IReadOnlySet<long>>(new HashSet<long>()), None);

        Assert.True(afterItems > start, "a poll that stored items");
        Assert.True(afterFailure > afterItems, "a poll that changed only the state");
        Assert.Equal(afterFailure, afterReads);
        Assert.True(Store.Status.ChangeCount > afterReads, "retention deleting an item");
    }
}
