using Feeds.Core.Refreshing;
using Feeds.Core.Sources;
using Feeds.Service.Scheduling;

namespace Feeds.Tests.Scheduling;

/// <summary>The rules of the due queue's waiting room: hosts take turns, a host's polls in flight are capped, a source is polled once at a time.</summary>
public sealed class ReadyPollsTests
{
    private static Source SourceOn(string host, string id) =>
        new(id, id, SourceLocation.ForUrl(new Uri($"https://{host}/{id}.rss")), ["world"], TimeSpan.FromMinutes(15));

    private static List<string> StartAll(ReadyPolls ready, int perHost)
    {
        var started = new List<string>();
        while (ready.TryStart(perHost, out var poll))
            started.Add(poll.Source.Id);
        return started;
    }

    [Fact]
    public void HostsTakeTurnsSoABusyHostDoesNotHoldUpTheOthers()
    {
        var ready = new ReadyPolls();
        foreach (var id in new[] { "a1", "a2", "a3" })
            ready.Add(SourceOn("busy.example", id), PollReason.Startup);
        ready.Add(SourceOn("other.example", "b1"), PollReason.Startup);
        ready.Add(SourceOn("third.example", "c1"), PollReason.Startup);

        // The busy host's third poll waits: two of its polls are in flight.
        Assert.Equal(["a1", "b1", "c1", "a2"], StartAll(ready, perHost: 2));
        Assert.Equal((4, 1), (ready.InFlight, ready.Waiting));
    }

    [Fact]
    public void AHostWithItsPollsInFlightWaitsUntilOneFinishes()
    {
        var ready = new ReadyPolls();
        foreach (var id in new[] { "a1", "a2", "a3" })
            ready.Add(SourceOn("busy.example", id), PollReason.Schedule);

        Assert.True(ready.TryStart(perHost: 1, out var first));
        Assert.False(ready.TryStart(perHost: 1, out _));
        Assert.Equal(2, ready.WaitingFor("busy.example"));

        ready.Finished(first);

        Assert.True(ready.TryStart(perHost: 1, out var second));
        Assert.Equal(("a1", "a2"), (first.Source.Id, second.Source.Id));
    }

    [Fact]
    public void ASourceIsTakenOnceAndItsSecondPollWaitsForTheFirst()
    {
        var ready = new ReadyPolls();
        var moved = SourceOn("news.example", "moved");
        Assert.True(ready.Add(moved, PollReason.Schedule));
        Assert.False(ready.Add(moved, PollReason.Startup)); // already waiting
        Assert.True(ready.TryStart(perHost: 4, out var first));

        // Its address changed while it was polled: a poll of the new address waits for the running one.
        Assert.True(ready.Add(moved, PollReason.Startup));
        Assert.True(ready.Holds("moved"));
        Assert.False(ready.TryStart(perHost: 4, out _));
        ready.Finished(first);

        Assert.True(ready.TryStart(perHost: 4, out var second));
        Assert.Equal(PollReason.Startup, second.Reason);
        ready.Finished(second);
        Assert.False(ready.Holds("moved"));
    }
}
