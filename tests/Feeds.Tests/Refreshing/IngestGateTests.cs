using Feeds.Core.Fetching;
using Feeds.Core.Refreshing;

namespace Feeds.Tests.Refreshing;

public sealed class IngestGateTests
{
    private const int Small = 50_000;
    private const int Large = FetchResult.Fetched.LargeBodyBytes;

    [Fact]
    public async Task NoMoreDocumentsAreInThanThereAreSlotsAndALeavingOneLetsTheNextIn()
    {
        var gate = new IngestGate(slots: 2);
        var first = await gate.EnterAsync(Small, CancellationToken.None);
        using var second = await gate.EnterAsync(Small, CancellationToken.None);

        var third = gate.EnterAsync(Small, CancellationToken.None).AsTask();
        await Task.Delay(50);
        var waitedWhileFull = !third.IsCompleted;
        first.Dispose();

        Assert.True(waitedWhileFull);
        (await third.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
    }

    [Fact]
    public async Task OneLargeDocumentAtATimeAndOneWaitingForItHoldsNoSlotASmallOneNeeds()
    {
        var gate = new IngestGate(slots: 2);
        var large = await gate.EnterAsync(Large, CancellationToken.None);

        var secondLarge = gate.EnterAsync(Large, CancellationToken.None).AsTask();
        using var small = await gate.EnterAsync(Small, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        await Task.Delay(50);
        var largeWaited = !secondLarge.IsCompleted;
        large.Dispose();

        Assert.True(largeWaited);
        (await secondLarge.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
    }

    [Fact]
    public async Task ACancelledWaitGivesBackTheLargeSlotItTook()
    {
        var gate = new IngestGate(slots: 1);
        var small = await gate.EnterAsync(Small, CancellationToken.None);
        using var cancel = new CancellationTokenSource();

        var large = gate.EnterAsync(Large, cancel.Token).AsTask();
        await Task.Delay(50);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => large);
        small.Dispose();

        (await gate.EnterAsync(Large, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
    }

    [Fact]
    public async Task ANormalizedDocumentGivesItsSlotBackWhileItsSaveWaitsButALargeOneKeepsBoth()
    {
        var gate = new IngestGate(slots: 1);
        using (var small = await gate.EnterAsync(Small, CancellationToken.None))
        {
            small.Normalized();
            // The slot is free while the first document still waits for its save.
            (await gate.EnterAsync(Small, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        }

        var large = await gate.EnterAsync(Large, CancellationToken.None);
        large.Normalized();
        var next = gate.EnterAsync(Small, CancellationToken.None).AsTask();
        await Task.Delay(50);
        var waitedForTheLargeOnesSave = !next.IsCompleted;
        large.Dispose();

        Assert.True(waitedForTheLargeOnesSave);
        (await next.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
    }
}
