using Feeds.Core.Refreshing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using FsCheck;
using FsCheck.Xunit;

namespace Feeds.Tests.Refreshing;

public sealed class PollScheduleTests
{
    private static readonly ScheduleOptions Bounds = new() { MinInterval = TimeSpan.FromMinutes(5), MaxInterval = TimeSpan.FromHours(12) };

    [Theory]
    [InlineData(1, 0.0, 15 * 60)]
    [InlineData(2, 0.0, 30 * 60)]
    [InlineData(3, 0.0, 60 * 60)]
    [InlineData(10, 0.0, 360 * 60)]
    [InlineData(100, 0.0, 360 * 60)]
    [InlineData(1, 1.0, 15 * 60 + 90)]    // the first failure: the interval, the jitter added (a tenth), never taken off
    [InlineData(2, 1.0, 24 * 60)]         // then up to a fifth off the doubled wait
    [InlineData(10, 1.0, 288 * 60)]
    public void BackoffDoublesPerFailureUpToSixHoursWithJitterButNeverUnderTheInterval(int level, double jitter, int expectedSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), PollSchedule.Backoff(TimeSpan.FromMinutes(15), level, null, TimeSpan.FromHours(6), jitter));

    [Theory]
    [InlineData(2 * 60, 15 * 60)]                    // sooner than the interval: the interval
    [InlineData(60 * 60, 60 * 60)]
    [InlineData(7 * 24 * 60 * 60, 24 * 60 * 60)]     // more than a day: a day
    public void RetryAfterReplacesTheBackoffUnjitteredNeverUnderTheIntervalAndCappedAtADay(int askedSeconds, int expectedSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds),
            PollSchedule.Backoff(TimeSpan.FromMinutes(15), 5, TimeSpan.FromSeconds(askedSeconds), TimeSpan.FromHours(6), jitter: 0.5));

    [Fact]
    public void AnAbsurdRetryAfterIsADayNotIgnored() =>
        Assert.Equal(TimeSpan.FromDays(1), PollSchedule.Backoff(TimeSpan.FromMinutes(1), 1, TimeSpan.MaxValue, TimeSpan.FromHours(6), jitter: 0.5));

    [Property(MaxTest = 1000)]
    public bool NoWaitAfterAFailureIsShorterThanTheIntervalOrLongerThanItsCaps(PositiveInt intervalSeconds, int level, byte jitter, long? retryAfterSeconds)
    {
        var interval = TimeSpan.FromSeconds(59 + intervalSeconds.Get % (2 * 24 * 60 * 60));
        var maxBackoff = TimeSpan.FromHours(6);
        TimeSpan? retryAfter = retryAfterSeconds switch
        {
            null => null,
            > 900_000_000_000 => TimeSpan.MaxValue,
            < -900_000_000_000 => TimeSpan.MinValue,
            { } seconds => TimeSpan.FromSeconds((double)seconds),
        };

        var wait = PollSchedule.Backoff(interval, level, retryAfter, maxBackoff, jitter / 255.0);

        var longest = new[] { interval + PollSchedule.Spread(interval, 1), maxBackoff, PollSchedule.MaxRetryAfter }.Max();
        return wait >= interval && wait <= longest;
    }

    [Theory]
    [InlineData(30, null, null, 30)]      // no rhythm yet: the configured schedule
    [InlineData(30, 1, null, 5)]          // a very busy feed: the minimum
    [InlineData(30, 45, null, 45)]        // the rhythm itself
    [InlineData(30, 10000, null, 720)]    // a quiet feed: the maximum
    [InlineData(30, 45, 90, 90)]          // the publisher asks for more: it wins
    [InlineData(30, 10000, 1440, 1440)]   // even above the maximum
    [InlineData(30, 45, 100000, 1440)]    // but no more than a day
    public void TheIntervalIsTheRhythmWithinBoundsButNeverUnderThePublishersMinimum(int configured, int? rhythm, int? publisher, int expected) =>
        Assert.Equal(TimeSpan.FromMinutes(expected), PollSchedule.Interval(TimeSpan.FromMinutes(configured),
            rhythm is null ? null : TimeSpan.FromMinutes(rhythm.Value), publisher is null ? null : TimeSpan.FromMinutes(publisher.Value), Bounds));

    [Fact]
    public void TheRhythmIsHalfTheAverageGapCountingTheSilenceSinceTheNewestItem()
    {
        var now = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
        var hourly = Enumerable.Range(1, 4).Select(h => now.AddHours(-h)).Append(now.AddDays(1));

        var rhythm = ItemRhythm.Of(hourly, now)!;

        Assert.Equal(TimeSpan.FromMinutes(30), rhythm.HalfAverageGap(now));
        Assert.Equal(TimeSpan.FromMinutes(60), rhythm.HalfAverageGap(now.AddHours(4)));
        Assert.Null(ItemRhythm.Of([now.AddHours(-1)], now));
    }
}
