using Feeds.Core.Sources;
using Feeds.Core.Storage;

namespace Feeds.Tests.Storage.Contracts;

/// <summary>The promises of <see cref="IRetentionStore"/>: what retention deletes, what it spares, and what it remembers.</summary>
public abstract class RetentionStoreContract<TStores> : StoreContract<TStores> where TStores : IStoreFactory, new()
{
    private Task SaveAsync(string sourceId, params (string Key, int DaysOld)[] items) =>
        SaveAsync(sourceId, items.Select(i => Item(i.Key, hash: "hash-" + i.Key, published: Now.AddDays(-i.DaysOld))).ToArray());

    private Task<PruneResult> PruneAsync(RetentionSettings retention, params long[] shown) =>
        PruneAsync(_ => retention, shown);

    private Task<PruneResult> PruneAsync(Func<string, RetentionSettings> retentionOf, params long[] shown) =>
        Store.Retention.PruneAsync(retentionOf, _ => Task.FromResult<IReadOnlySet<long>>(shown.ToHashSet()), None);

    private async Task<long> IdOfAsync(string sourceId, string key) =>
        (await Store.Publishing.GetItemsAsync([sourceId], ItemCursor.Newest, 1000, None)).Single(i => i.ItemKey == key).Id;

    [Fact]
    public async Task ItemsOlderThanMaxAgeAreRemoved()
    {
        await SaveAsync("wire", ("fresh", 10), ("edge", 89), ("old", 91), ("ancient", 400));

        var result = await PruneAsync(new RetentionSettings(MaxAgeDays: 90, MaxItemsPerSource: 0));

        Assert.Equal(["fresh", "edge"], await KeysAsync("wire"));
        Assert.Equal(2, result.Removed);
        Assert.Equal(new Dictionary<string, int> { ["wire"] = 2 }, result.RemovedBySource);
        Assert.Equal(0, result.Spared);
    }

    [Fact]
    public async Task WhatFirstPagesShowIsAskedOnlyWhenSomethingIsPastRetention()
    {
        await SaveAsync("wire", ("fresh", 10), ("older", 60));
        var asked = 0;
        Task<IReadOnlySet<long>> ShownIds(CancellationToken _)
        {
            asked++;
            return Task.FromResult<IReadOnlySet<long>>(new HashSet<long>());
        }

        var withinRetention = await Store.Retention.PruneAsync(_ => new RetentionSettings(MaxAgeDays: 90, MaxItemsPerSource: 2), ShownIds, None);
        var askedWithinRetention = asked;
        var pastRetention = await Store.Retention.PruneAsync(_ => new RetentionSettings(MaxAgeDays: 30, MaxItemsPerSource: 2), ShownIds, None);

        Assert.Equal((0, 0), (askedWithinRetention, withinRetention.Removed));
        Assert.Equal((1, 1), (asked, pastRetention.Removed));
        Assert.Equal(["fresh"], await KeysAsync("wire"));
    }

    [Fact]
    public async Task APollSavedWhileAPruneRunsWaitsForItAndLosesNothing()
    {
        await SaveAsync("wire", ("new", 0), ("old", 200));
        Task<SaveResult>? poll = null;

        var result = await Store.Retention.PruneAsync(_ => new RetentionSettings(MaxAgeDays: 90, MaxItemsPerSource: 0), async _ =>
        {
            // A poll that arrives once the prune has asked what first pages show is saved after the prune, never within it:
            // its item, past retention, would otherwise be deleted unseen. The poll is given a moment to land early: a store
            // that lets it does not pass; one that holds it back passes however long the moment is.
            poll = Task.Run(() => Store.Polls.SavePollAsync(State("desk"), [Item("late", hash: "hash-late", published: Now.AddDays(-200))], None));
            await Task.WhenAny(poll, Task.Delay(TimeSpan.FromMilliseconds(300)));
            return new HashSet<long>();
        }, None);

        Assert.Equal(new SaveResult(1, 0), await poll!);
        Assert.Equal(new Dictionary<string, int> { ["wire"] = 1 }, result.RemovedBySource);
        Assert.Equal(["new"], await KeysAsync("wire"));
        Assert.Equal(["late"], await KeysAsync("desk"));
    }

    [Fact]
    public async Task EachSourceKeepsItsNewestMaxItems()
    {
        await SaveAsync("wire", Enumerable.Range(1, 6).Select(day => ($"w{day}", day)).ToArray());
        await SaveAsync("desk", ("d1", 1), ("d2", 2));

        var result = await PruneAsync(new RetentionSettings(MaxAgeDays: 0, MaxItemsPerSource: 3));

        Assert.Equal(["w1", "w2", "w3"], await KeysAsync("wire"));
        Assert.Equal(["d1", "d2"], await KeysAsync("desk"));
        Assert.Equal(3, result.Removed);
    }

    [Fact]
    public async Task EachSourceIsPrunedByItsOwnRetention()
    {
        await SaveAsync("wire", ("w1", 1), ("w2", 2), ("w3", 3));
        await SaveAsync("desk", ("d1", 1), ("d2", 2), ("d3", 3));

        await PruneAsync(sourceId => sourceId == "wire" ? new RetentionSettings(0, 1) : new RetentionSettings(0, 0));

        Assert.Equal(["w1"], await KeysAsync("wire"));
        Assert.Equal(["d1", "d2", "d3"], await KeysAsync("desk"));
    }

    [Fact]
    public async Task ItemsAFirstPageShowsAreSparedHoweverOldAndCounted()
    {
        await SaveAsync("wire", ("new", 0), ("scoop", 120), ("stale", 130));

        var result = await PruneAsync(new RetentionSettings(MaxAgeDays: 90, MaxItemsPerSource: 0), await IdOfAsync("wire", "scoop"));

        Assert.Equal(["new", "scoop"], await KeysAsync("wire"));
        Assert.Equal((1, 1), (result.Removed, result.Spared));
    }

    [Fact]
    public async Task APrunedItemStaysKnownSoAFeedThatStillCarriesItDoesNotBringItBack()
    {
        await SaveAsync("wire", ("new", 0), ("old", 200));

        await PruneAsync(new RetentionSettings(90, 0));
        var known = await Store.Polls.GetItemHashesAsync("wire", None);

        Assert.Equal(["new"], await KeysAsync("wire"));
        Assert.Equal(new Dictionary<string, string> { ["new"] = "hash-new", ["old"] = "hash-old" }, known);
    }

    [Fact]
    public async Task TombstonesAreForgottenAfterTheirLifetime()
    {
        await SaveAsync("wire", ("new", 0), ("old", 200));
        await PruneAsync(new RetentionSettings(90, 0));

        Clock.Advance(IRetentionStore.TombstoneLifetime - TimeSpan.FromDays(1));
        await PruneAsync(new RetentionSettings(0, 0));
        var kept = await Store.Polls.GetItemHashesAsync("wire", None);
        Clock.Advance(TimeSpan.FromDays(2));
        await PruneAsync(new RetentionSettings(0, 0));

        Assert.True(kept.ContainsKey("old"));
        Assert.False((await Store.Polls.GetItemHashesAsync("wire", None)).ContainsKey("old"));
    }

    [Fact]
    public async Task APruneChangesTheVersionOfTheSourcesThatLostItemsOnly()
    {
        await SaveAsync("wire", ("new", 0), ("old", 200));
        await SaveAsync("desk", ("d", 0));
        var (wire, desk, store) = (Store.Publishing.GetSourceVersion("wire"), Store.Publishing.GetSourceVersion("desk"), Store.Publishing.GetStoreVersion());

        await PruneAsync(new RetentionSettings(90, 0));

        Assert.True(Store.Publishing.GetSourceVersion("wire") > wire);
        Assert.Equal(desk, Store.Publishing.GetSourceVersion("desk"));
        Assert.True(Store.Publishing.GetStoreVersion() > store, "a prune that deleted items leaves the store's version as it was");
    }
}
