using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace Feeds.Tests.Fetching;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that tells a test when code under test starts waiting on it: every timer created
/// (a <c>Task.Delay</c>, a <c>CancellationTokenSource</c> deadline) is recorded with its due time, so the test can wait
/// for the very wait it means to move the clock past instead of guessing how long to sleep.
/// </summary>
public sealed class WatchedClock() : FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero))
{
    private readonly ConcurrentQueue<TimeSpan> _timers = new();

    /// <summary>The due time of every timer created so far, oldest first.</summary>
    public IReadOnlyList<TimeSpan> Timers => _timers.ToList();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        _timers.Enqueue(dueTime);
        return base.CreateTimer(callback, state, dueTime, period);
    }

    /// <summary>Waits (in real time, at most 10 s) until a timer due in <paramref name="dueTime"/> has been created.</summary>
    public async Task WaitForTimerAsync(TimeSpan dueTime, int count = 1)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (_timers.Count(timer => timer == dueTime) < count)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"no timer due in {dueTime} was created; timers: {string.Join(", ", _timers)}");
            await Task.Delay(10);
        }
    }
}
