using Feeds.Core.Normalization;
using Feeds.Core.Sources;
using Feeds.Core.Storage;

namespace Feeds.Tests.Storage.Contracts;

/// <summary>The promises of <see cref="IActivityStore"/>: each saved poll counted in its hour by outcome with its new items, old hours forgotten.</summary>
public abstract class ActivityStoreContract<TStores> : StoreContract<TStores> where TStores : IStoreFactory, new()
{
    private static readonly DateTimeOffset ThisHour = HourlyActivity.HourOf(Now);

    private Task<SaveResult> PollAsync(string sourceId, PollOutcome outcome, params NormalizedItem[] items) =>
        Store.Polls.SavePollAsync(State(sourceId) with { LastOutcome = outcome }, items, None);

    private async Task<HourlyActivity[]> ActivityAsync(params string[] sourceIds) =>
        [.. (await Store.Activity.GetSourceActivityAsync(sourceIds, Now.AddDays(-3), None)).OrderBy(a => a.SourceId).ThenBy(a => a.Hour)];

    [Fact]
    public async Task EachSavedPollIsCountedInItsHourByOutcomeWithTheItemsItAdded()
    {
        await PollAsync("wire", PollOutcome.Updated, Item("a"), Item("b"));
        await PollAsync("wire", PollOutcome.Updated, Item("a"), Item("b", "changed"), Item("c"));
        await PollAsync("wire", PollOutcome.NotModified);
        Clock.Advance(TimeSpan.FromHours(1));
        await PollAsync("wire", PollOutcome.Failed);
        await PollAsync("desk", PollOutcome.Updated, Item("d"));

        Assert.Equal(
            [
                new HourlyActivity("desk", ThisHour.AddHours(1), 1, 0, 0, 1),
                // A changed item is not a new one.
                new HourlyActivity("wire", ThisHour, 2, 1, 0, 3),
                new HourlyActivity("wire", ThisHour.AddHours(1), 0, 0, 1, 0),
            ],
            await ActivityAsync("wire", "desk"));
    }

    [Fact]
    public async Task AskingForSomeSourcesAndHoursGivesThoseAlone()
    {
        await PollAsync("wire", PollOutcome.Updated, Item("a"));
        Clock.Advance(TimeSpan.FromHours(2));
        await PollAsync("wire", PollOutcome.Updated, Item("b"));
        await PollAsync("desk", PollOutcome.Updated, Item("c"));
        await PollAsync("quiet", PollOutcome.NotModified);

        var recent = await Store.Activity.GetSourceActivityAsync(["wire", "quiet"], ThisHour.AddHours(1), None);
        var withNewItems = await Store.Activity.GetNewItemsAsync(ThisHour.AddHours(1), None);

        Assert.Equal(["quiet", "wire"], recent.Select(a => a.SourceId).Order());
        Assert.All(recent, a => Assert.Equal(ThisHour.AddHours(2), a.Hour));
        Assert.Equal(["desk", "wire"], withNewItems.Select(a => a.SourceId).Order());
        Assert.Empty(await Store.Activity.GetSourceActivityAsync([], ThisHour, None));
    }

    [Fact]
    public async Task TheRetentionPassForgetsHoursOlderThanTheyAreKept()
    {
        await PollAsync("wire", PollOutcome.Updated, Item("a"));
        Clock.Advance(IActivityStore.KeptFor - TimeSpan.FromHours(1));
        await PollAsync("wire", PollOutcome.NotModified);
        Clock.Advance(TimeSpan.FromHours(2));

        await Store.Retention.PruneAsync(_ => new RetentionSettings(), _ => Task.FromResult<IReadOnlySet<long>>(new HashSet<long>()), None);

        var kept = Assert.Single(await ActivityAsync("wire"));
        Assert.Equal(1, kept.NotModified);
    }
}
