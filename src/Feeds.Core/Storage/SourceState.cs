using Feeds.Core.Fetching;

namespace Feeds.Core.Storage;

/// <summary>A source's polling state, saved after every poll: validators, outcome, failures and when it is due.</summary>
public sealed record SourceState
{
    public required string SourceId { get; init; }
    public required string Url { get; init; }
    public Validators Validators { get; init; } = Validators.None;
    public DateTimeOffset? LastAttemptAt { get; init; }
    public DateTimeOffset? LastSuccessAt { get; init; }
    public PollOutcome? LastOutcome { get; init; }
    public string? LastError { get; init; }
    public string? LastErrorCategory { get; init; }
    public int? LastHttpStatus { get; init; }
    public int ConsecutiveFailures { get; init; }

    /// <summary>When the schedule expects to poll next.</summary>
    public DateTimeOffset? NextDueAt { get; init; }

    /// <summary>Why <see cref="NextDueAt"/> is when it is: the rule that set it, as the status shows it ("schedule", "publisher ttl", "backoff").</summary>
    public string? NextDueRule { get; init; }

    /// <summary>Backoff after failures, or the source's Retry-After: no poll of any kind before this.</summary>
    public DateTimeOffset? RetryNotBefore { get; init; }

    /// <summary>The URL polled instead of <see cref="Url"/> since a 301/308 to it was seen on two consecutive polls.</summary>
    public string? MovedTo { get; init; }

    /// <summary>A 301/308 target seen on the last poll; a second sighting in a row moves the source there.</summary>
    public string? RedirectCandidate { get; init; }

    /// <summary>When the source first answered 410 Gone; it is then polled only daily, until it answers again.</summary>
    public DateTimeOffset? GoneSince { get; init; }

    /// <summary>Consecutive failures charged to the source itself: the backoff exponent. An outage on our side does not raise it.</summary>
    public int BackoffLevel { get; init; }

    /// <summary>The interval in force at the last poll: its schedule or its rhythm, never under its publisher's minimum.</summary>
    public TimeSpan? PollInterval { get; init; }

    /// <summary>The dated items of the last full body, from which the rhythm is recomputed as time passes; null when too few had dates.</summary>
    public ItemRhythm? Rhythm { get; init; }

    /// <summary>The least interval the feed itself asked for in its last body (RSS ttl, sy:updatePeriod).</summary>
    public TimeSpan? FeedMinInterval { get; init; }

    /// <summary>How many items the last full body had over the per-document item limit: left out, the newest kept.</summary>
    public int ItemsLeftOut { get; init; }

    /// <summary>
    /// The fingerprint of the last full body saved, with the URL it came from and its content type (which decide how it
    /// reads): a 200 whose body has the same one is neither parsed nor normalized again (<c>SourceRefresher</c>).
    /// </summary>
    public string? BodyHash { get; init; }

    public string? FeedTitle { get; init; }
    public string? FeedLink { get; init; }
    public string? FeedLanguage { get; init; }
}

public enum PollOutcome
{
    Updated,
    NotModified,
    Failed,
}
