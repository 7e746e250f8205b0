namespace Feeds.Core.Refreshing;

/// <summary>
/// The rule that set a source's next due time, so an operator can read why a poll is when it is. The order is the
/// order the rules are applied in: the source's own interval first, then the publisher's minimums, which may only
/// make it later, then what a failure asks for.
/// </summary>
public enum DueRule
{
    /// <summary>The source's <c>schedule</c> (its longest interval), or the default one while its rhythm is unknown.</summary>
    Schedule,

    /// <summary>The rhythm of its items: sooner than its <c>schedule</c> (never under <c>minInterval</c>), or within the global bounds without one.</summary>
    Rhythm,

    /// <summary>The feed's own minimum: RSS <c>ttl</c> or the Syndication module's <c>sy:updatePeriod</c>/<c>sy:updateFrequency</c>.</summary>
    PublisherTtl,

    /// <summary>The answer's <c>Cache-Control: max-age</c> (RFC 9111 §5.2.2.1).</summary>
    MaxAge,

    /// <summary>The failed answer's <c>Retry-After</c> (RFC 9110 §10.2.3).</summary>
    RetryAfter,

    /// <summary>The doubling wait after failures charged to the source.</summary>
    Backoff,

    /// <summary>The source answered 410 Gone and is asked once a day.</summary>
    Gone,
}

/// <summary>A wait until the next poll and the rule that set it.</summary>
public readonly record struct PollWait(TimeSpan Wait, DueRule Rule);

/// <summary>The words the status shows for a <see cref="DueRule"/>.</summary>
public static class DueRules
{
    /// <summary>The rule as an operator reads it: <c>schedule</c>, <c>rhythm</c>, <c>publisher ttl</c>, <c>max-age</c>, <c>retry-after</c>, <c>backoff</c>, <c>gone</c>.</summary>
    public static string Name(this DueRule rule) => rule switch
    {
        DueRule.Schedule => "schedule",
        DueRule.Rhythm => "rhythm",
        DueRule.PublisherTtl => "publisher ttl",
        DueRule.MaxAge => "max-age",
        DueRule.RetryAfter => "retry-after",
        DueRule.Backoff => "backoff",
        DueRule.Gone => "gone",
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, null),
    };
}
