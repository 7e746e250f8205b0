using Feeds.Core.Sources;

namespace Feeds.Core.Refreshing;

/// <summary>
/// When a source is polled next, as pure functions of what it told us, so the rules are testable without a
/// clock or a network: its rhythm within bounds, never sooner than the publisher asks, backoff after failures.
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
    /// The interval until the next poll: the rhythm within the configured bounds (the source's configured
    /// schedule while its rhythm is unknown), never shorter than the publisher's own minimum.
    /// </summary>
    public static TimeSpan Interval(TimeSpan configured, TimeSpan? rhythm, TimeSpan? publisherMinimum, ScheduleOptions options)
    {
        var interval = rhythm is { } gap ? Clamp(gap, options.MinInterval, options.MaxInterval) : configured;
        var floor = publisherMinimum is { } asked ? Min(asked, MaxPublisherMinimum) : TimeSpan.Zero;
        return Max(interval, floor);
    }

    /// <summary>
    /// The wait after a failure, never shorter than <paramref name="interval"/>: a failing source is not asked sooner than
    /// a healthy one would be. With a Retry-After the wait is what the source asked for (capped at a day, however
    /// absurd the ask), unjittered, in place of the doubling. Otherwise it is the interval doubled per failure charged
    /// to the source, capped at <see cref="ScheduleOptions.MaxBackoff"/>, with <paramref name="jitter"/> (0 to 1)
    /// taking up to a fifth off so sources that failed together do not return together; where that would fall under
    /// the interval (the first failure) the jitter is added to the interval instead, as <see cref="Spread"/> does.
    /// </summary>
    public static TimeSpan Backoff(TimeSpan interval, int level, TimeSpan? retryAfter, TimeSpan maxBackoff, double jitter)
    {
        if (retryAfter is { } asked && asked > TimeSpan.Zero)
            return Max(Min(asked, MaxRetryAfter), interval);
        // In milliseconds as a double: the doubling overflows TimeSpan long before the level stops growing.
        var doubled = interval.TotalMilliseconds * Math.Pow(2, Math.Max(level - 1, 0));
        var jittered = TimeSpan.FromMilliseconds(Math.Min(doubled, maxBackoff.TotalMilliseconds) * (1 - 0.2 * jitter));
        return Max(jittered, interval + Spread(interval, jitter));
    }

    /// <summary>A little extra wait, up to a tenth of the interval (at most 5 min), so sources on the same schedule drift apart.</summary>
    public static TimeSpan Spread(TimeSpan interval, double jitter) => Min(interval / 10, TimeSpan.FromMinutes(5)) * jitter;

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) => Max(min, Min(value, max));

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
