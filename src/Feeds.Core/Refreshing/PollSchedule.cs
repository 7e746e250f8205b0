using Feeds.Core.Sources;

namespace Feeds.Core.Refreshing;

/// <summary>
/// When a source is polled next, as pure functions of what it told us, so the rules are testable without a
/// clock or a network: its schedule as the longest wait, its rhythm sooner, never sooner than the publisher asks,
/// backoff after failures; each wait with the <see cref="DueRule"/> that set it, for the status.
/// </summary>
public static class PollSchedule
{
    /// <summary>The longest Retry-After honoured; a larger one is read as a mistake, not as "never".</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromDays(1);

    /// <summary>The longest publisher minimum honoured (ttl, sy:updatePeriod, max-age), for the same reason.</summary>
    public static readonly TimeSpan MaxPublisherMinimum = TimeSpan.FromDays(1);

    /// <summary>A 410 Gone source is still asked this often, in case the publisher brings it back.</summary>
    public static readonly TimeSpan GoneInterval = TimeSpan.FromDays(1);

    /// <summary>
    /// The interval until the next poll and the rule that set it. With a <c>schedule</c> written for the source
    /// (<paramref name="scheduleIsLongest"/>) that schedule is the longest interval: the rhythm may only poll sooner, down
    /// to <see cref="ScheduleOptions.MinInterval"/>. Without one the rhythm is kept within the global bounds, and the
    /// default <paramref name="configured"/> interval holds while the rhythm is unknown. Either way the publisher's own
    /// minimum (<paramref name="feedMinimum"/> from ttl or sy:update*, <paramref name="maxAge"/> from Cache-Control) may
    /// only make it later, up to <see cref="MaxPublisherMinimum"/>: we are asked not to come sooner.
    /// </summary>
    public static PollWait Interval(TimeSpan configured, bool scheduleIsLongest, TimeSpan? rhythm, TimeSpan? feedMinimum, TimeSpan? maxAge,
        ScheduleOptions options)
    {
        var own = (rhythm, scheduleIsLongest) switch
        {
            (null, _) => new PollWait(configured, DueRule.Schedule),
            ({ } gap, true) when Max(gap, options.MinInterval) < configured => new PollWait(Max(gap, options.MinInterval), DueRule.Rhythm),
            (_, true) => new PollWait(configured, DueRule.Schedule),
            ({ } gap, false) => new PollWait(Clamp(gap, options.MinInterval, options.MaxInterval), DueRule.Rhythm),
        };
        var publisherTtl = NoSoonerThan(own, Capped(feedMinimum, MaxPublisherMinimum), DueRule.PublisherTtl);
        return NoSoonerThan(publisherTtl, Capped(maxAge, MaxPublisherMinimum), DueRule.MaxAge);
    }

    /// <summary>
    /// The wait after a failure, never shorter than <paramref name="interval"/>: a failing source is not asked sooner than
    /// a healthy one would be. With a Retry-After the wait is what the source asked for (capped at a day, however
    /// absurd the ask), unjittered, in place of the doubling. Otherwise it is the interval doubled per failure charged
    /// to the source, capped at <see cref="ScheduleOptions.MaxBackoff"/>, with <paramref name="jitter"/> (0 to 1)
    /// taking up to a fifth off so sources that failed together do not return together; where that would fall under
    /// the interval (the first failure) the jitter is added to the interval instead, as <see cref="Spread"/> does.
    /// </summary>
    public static PollWait Backoff(PollWait interval, int level, TimeSpan? retryAfter, TimeSpan maxBackoff, double jitter)
    {
        if (retryAfter is { } asked && asked > TimeSpan.Zero)
            return NoSoonerThan(interval, Min(asked, MaxRetryAfter), DueRule.RetryAfter);
        // In milliseconds as a double: the doubling overflows TimeSpan long before the level stops growing.
        var doubled = interval.Wait.TotalMilliseconds * Math.Pow(2, Math.Max(level - 1, 0));
        var jittered = TimeSpan.FromMilliseconds(Math.Min(doubled, maxBackoff.TotalMilliseconds) * (1 - 0.2 * jitter));
        return new PollWait(Max(jittered, interval.Wait + Spread(interval.Wait, jitter)), DueRule.Backoff);
    }

    /// <summary>A little extra wait, up to a tenth of the interval (at most 5 min), so sources on the same schedule drift apart.</summary>
    public static TimeSpan Spread(TimeSpan interval, double jitter) => Min(interval / 10, TimeSpan.FromMinutes(5)) * jitter;

    /// <summary>The wait, or <paramref name="asked"/> by <paramref name="rule"/> where that is later.</summary>
    private static PollWait NoSoonerThan(PollWait wait, TimeSpan? asked, DueRule rule) =>
        asked is { } later && later > wait.Wait ? new PollWait(later, rule) : wait;

    private static TimeSpan? Capped(TimeSpan? asked, TimeSpan cap) => asked is { } value ? Min(value, cap) : null;

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) => Max(min, Min(value, max));

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
