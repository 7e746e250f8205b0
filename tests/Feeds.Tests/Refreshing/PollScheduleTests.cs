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
        Assert.Equal(new PollWait(TimeSpan.FromSeconds(expectedSeconds), DueRule.Backoff),
            PollSchedule.Backoff(Scheduled(15), level, null, TimeSpan.FromHours(6), jitter));

    [Theory]
    [InlineData(2 * 60, 15 * 60, DueRule.Schedule)]                  // sooner than the interval: the interval, by its own rule
    [InlineData(60 * 60, 60 * 60, DueRule.RetryAfter)]
    [InlineData(7 * 24 * 60 * 60, 24 * 60 * 60, DueRule.RetryAfter)] // more than a day: a day
    public void RetryAfterReplacesTheBackoffUnjitteredNeverUnderTheIntervalAndCappedAtADay(int askedSeconds, int expectedSeconds, DueRule rule) =>
        Assert.Equal(new PollWait(TimeSpan.FromSeconds(expectedSeconds), rule),
            PollSchedule.Backoff(Scheduled(15), 5, TimeSpan.FromSeconds(askedSeconds), TimeSpan.FromHours(6), jitter: 0.5));

    [Fact]
    public void AnAbsurdRetryAfterIsADayNotIgnored() =>
        Assert.Equal(new PollWait(TimeSpan.FromDays(1), DueRule.RetryAfter), PollSchedule.Backoff(Scheduled(1), 1, TimeSpan.MaxValue, TimeSpan.FromHours(6), jitter: 0.5));

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

        var wait = PollSchedule.Backoff(new PollWait(interval, DueRule.Rhythm), level, retryAfter, maxBackoff, jitter / 255.0).Wait;

        var longest = new[] { interval + PollSchedule.Spread(interval, 1), maxBackoff, PollSchedule.MaxRetryAfter }.Max();
        return wait >= interval && wait <= longest;
    }

    // Without a schedule written for the source: today's adaptive interval, within the global bounds.
    [Theory]
    [InlineData(30, null, null, null, 30, DueRule.Schedule)]       // no rhythm yet: the default interval
    [InlineData(30, 1, null, null, 5, DueRule.Rhythm)]             // a very busy feed: the minimum
    [InlineData(30, 45, null, null, 45, DueRule.Rhythm)]           // the rhythm itself
    [InlineData(30, 10000, null, null, 720, DueRule.Rhythm)]       // a quiet feed: the maximum
    [InlineData(30, 45, 90, null, 90, DueRule.PublisherTtl)]       // the publisher asks for more: it wins
    [InlineData(30, 10000, 1440, null, 1440, DueRule.PublisherTtl)] // even above the maximum
    [InlineData(30, 45, 100000, null, 1440, DueRule.PublisherTtl)] // but no more than a day
    [InlineData(30, 45, 60, 120, 120, DueRule.MaxAge)]             // the longer of ttl and max-age
    [InlineData(30, 45, 60, 20, 60, DueRule.PublisherTtl)]
    public void WithoutAScheduleTheIntervalIsTheRhythmWithinBoundsButNeverUnderThePublishersMinimum(
        int configured, int? rhythm, int? ttl, int? maxAge, int expected, DueRule rule) =>
        Assert.Equal(new PollWait(TimeSpan.FromMinutes(expected), rule),
            PollSchedule.Interval(TimeSpan.FromMinutes(configured), false, Minutes(rhythm), Minutes(ttl), Minutes(maxAge), Bounds));

    // With "schedule" written: it is the longest interval; the rhythm only polls sooner, the publisher only later.
    [Theory]
    [InlineData(15, null, null, null, 15, DueRule.Schedule)]       // no rhythm yet: the schedule
    [InlineData(15, 780, null, null, 15, DueRule.Schedule)]        // items 26 h apart: still every 15 min, not 12 h
    [InlineData(15, 10, null, null, 10, DueRule.Rhythm)]           // a busier rhythm polls sooner
    [InlineData(15, 1, null, null, 5, DueRule.Rhythm)]             // but never under minInterval
    [InlineData(2, 1, null, null, 2, DueRule.Schedule)]            // a schedule under minInterval is kept: it is the longest
    [InlineData(1440, 780, null, null, 780, DueRule.Rhythm)]       // over maxInterval: only the schedule bounds the rhythm
    [InlineData(15, 10, 60, null, 60, DueRule.PublisherTtl)]       // a ttl over the schedule makes it later
    [InlineData(15, null, null, 30, 30, DueRule.MaxAge)]           // so does max-age
    [InlineData(15, 780, 10, 5, 15, DueRule.Schedule)]             // minimums under the schedule change nothing
    [InlineData(15, null, 100000, null, 1440, DueRule.PublisherTtl)] // at most a day
    public void AScheduleIsTheLongestIntervalTheRhythmOnlyPollsSoonerAndThePublisherOnlyLater(
        int schedule, int? rhythm, int? ttl, int? maxAge, int expected, DueRule rule) =>
        Assert.Equal(new PollWait(TimeSpan.FromMinutes(expected), rule),
            PollSchedule.Interval(TimeSpan.FromMinutes(schedule), true, Minutes(rhythm), Minutes(ttl), Minutes(maxAge), Bounds));

    [Property(MaxTest = 1000)]
    public bool WithAScheduleNoIntervalIsLongerUnlessThePublisherAsked(PositiveInt scheduleMinutes, PositiveInt rhythmMinutes, int? ttlMinutes, int? maxAgeMinutes)
    {
        var schedule = TimeSpan.FromMinutes(scheduleMinutes.Get % 10_000);
        TimeSpan? ttl = ttlMinutes is { } t ? TimeSpan.FromMinutes(Math.Abs(t % 10_000)) : null;
        TimeSpan? maxAge = maxAgeMinutes is { } m ? TimeSpan.FromMinutes(Math.Abs(m % 10_000)) : null;

        var wait = PollSchedule.Interval(schedule, true, TimeSpan.FromMinutes(rhythmMinutes.Get % 10_000), ttl, maxAge, Bounds);

        return wait.Rule switch
        {
            DueRule.Schedule => wait.Wait == schedule,
            DueRule.Rhythm => wait.Wait < schedule && wait.Wait >= Bounds.MinInterval,
            // Later than the source's own interval only because the publisher asked for that much.
            DueRule.PublisherTtl => wait.Wait == Min(ttl!.Value, PollSchedule.MaxPublisherMinimum),
            DueRule.MaxAge => wait.Wait == Min(maxAge!.Value, PollSchedule.MaxPublisherMinimum),
            _ => false,
        };
    }

    [Theory]
    [InlineData(DueRule.Schedule, "schedule")]
    [InlineData(DueRule.Rhythm, "rhythm")]
    [InlineData(DueRule.PublisherTtl, "publisher ttl")]
    [InlineData(DueRule.MaxAge, "max-age")]
    [InlineData(DueRule.RetryAfter, "retry-after")]
    [InlineData(DueRule.Backoff, "backoff")]
    [InlineData(DueRule.Gone, "gone")]
    public void EachRuleHasTheNameTheStatusShows(DueRule rule, string name) => Assert.Equal(name, rule.Name());

    private static PollWait Scheduled(int minutes) => new(TimeSpan.FromMinutes(minutes), DueRule.Schedule);

    private static TimeSpan? Minutes(int? minutes) => minutes is { } m ? TimeSpan.FromMinutes(m) : null;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

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
