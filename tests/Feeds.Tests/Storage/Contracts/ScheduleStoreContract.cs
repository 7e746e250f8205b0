using Feeds.Core.Storage;

namespace Feeds.Tests.Storage.Contracts;

/// <summary>
/// The promises of <see cref="IScheduleStore"/>: the due sources earliest first, read on from where a read stopped; the
/// earliest due time ahead; a due time moved or cleared by the schedule.
/// </summary>
public abstract class ScheduleStoreContract<TStores> : StoreContract<TStores> where TStores : IStoreFactory, new()
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private Task SaveDueAsync(string sourceId, DateTimeOffset? dueAt) =>
        Store.Polls.SavePollAsync(State(sourceId) with { NextDueAt = dueAt }, [], None);

    private async Task<string[]> DueAsync(DateTimeOffset upTo, DueSource? after = null, int limit = 100) =>
        [.. (await Store.Schedule.GetDueSourcesAsync(upTo, after, limit, None)).Select(due => due.SourceId)];

    [Fact]
    public async Task TheDueSourcesComeEarliestFirstTiesByIdAndNoneThatIsNotDueOrHasNoDueTime()
    {
        await SaveDueAsync("later", Now + Minute);
        await SaveDueAsync("b", Now - Minute);
        await SaveDueAsync("a", Now - Minute);
        await SaveDueAsync("oldest", Now - 2 * Minute);
        await SaveDueAsync("now", Now);
        await SaveDueAsync("unscheduled", null);

        var due = await Store.Schedule.GetDueSourcesAsync(Now, null, 100, None);

        Assert.Equal(["oldest", "a", "b", "now"], due.Select(d => d.SourceId));
        Assert.Equal(new DueSource("oldest", Now - 2 * Minute), due[0]);
    }

    [Fact]
    public async Task AReadGoesOnWhereTheLastStopped()
    {
        foreach (var (id, minutesAgo) in new[] { ("a", 3), ("b", 2), ("c", 2), ("d", 1), ("e", 1) })
            await SaveDueAsync(id, Now - minutesAgo * Minute);

        var first = await Store.Schedule.GetDueSourcesAsync(Now, null, 3, None);
        var rest = await DueAsync(Now, first[^1], 3);

        Assert.Equal(["a", "b", "c"], first.Select(d => d.SourceId));
        Assert.Equal(["d", "e"], rest);
    }

    [Fact]
    public async Task TheEarliestDueTimeAheadIsTheNextWakeUp()
    {
        await SaveDueAsync("past", Now - Minute);
        await SaveDueAsync("soon", Now + Minute);
        await SaveDueAsync("later", Now + 5 * Minute);

        Assert.Equal(Now + Minute, await Store.Schedule.GetEarliestDueAfterAsync(Now, None));
        Assert.Equal(Now + 5 * Minute, await Store.Schedule.GetEarliestDueAfterAsync(Now + Minute, None));
        Assert.Null(await Store.Schedule.GetEarliestDueAfterAsync(Now + 5 * Minute, None));
    }

    [Fact]
    public async Task ADueTimeMovedOrClearedIsWhatTheNextReadSees()
    {
        await SaveDueAsync("moved", Now - Minute);
        await SaveDueAsync("removed", Now - Minute);

        await Store.Schedule.SetDueAtAsync("moved", Now + Minute, None);
        await Store.Schedule.SetDueAtAsync("removed", null, None);

        Assert.Empty(await DueAsync(Now));
        Assert.Equal(["moved"], await DueAsync(Now + Minute));
        Assert.Equal(Now + Minute, (await Store.Polls.GetSourceStateAsync("moved", None))!.NextDueAt);
        Assert.Null((await Store.Polls.GetSourceStateAsync("removed", None))!.NextDueAt);
    }
}
