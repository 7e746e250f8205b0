using Feeds.Core.Fetching;

namespace Feeds.Core.Storage;

/// <summary>A sources row as every store holds it (times in unix ms), and its mapping to and from <see cref="SourceState"/>.</summary>
internal sealed record SourceRow
{
    public const string Select = """
        SELECT id AS Id, url AS Url, etag AS ETag, last_modified AS LastModified, last_attempt_at AS LastAttemptAt,
               last_success_at AS LastSuccessAt, last_outcome AS LastOutcome, last_error AS LastError,
               last_error_category AS LastErrorCategory, last_http_status AS LastHttpStatus,
               consecutive_failures AS ConsecutiveFailures, next_due_at AS NextDueAt, retry_not_before AS RetryNotBefore,
               feed_title AS FeedTitle, feed_link AS FeedLink, moved_to AS MovedTo, redirect_candidate AS RedirectCandidate,
               gone_since AS GoneSince, backoff_level AS BackoffLevel, poll_interval_ms AS PollIntervalMs,
               feed_min_interval_ms AS FeedMinIntervalMs, rhythm_since AS RhythmSince, rhythm_items AS RhythmItems, items_left_out AS ItemsLeftOut,
               feed_language AS FeedLanguage
        FROM sources
        """;

    public string Id { get; init; } = "";
    public string Url { get; init; } = "";
    public string? ETag { get; init; }
    public string? LastModified { get; init; }
    public long? LastAttemptAt { get; init; }
    public long? LastSuccessAt { get; init; }
    public string? LastOutcome { get; init; }
    public string? LastError { get; init; }
    public string? LastErrorCategory { get; init; }
    public long? LastHttpStatus { get; init; }
    public long ConsecutiveFailures { get; init; }
    public long? NextDueAt { get; init; }
    public long? RetryNotBefore { get; init; }
    public string? FeedTitle { get; init; }
    public string? FeedLink { get; init; }
    public string? FeedLanguage { get; init; }
    public string? MovedTo { get; init; }
    public string? RedirectCandidate { get; init; }
    public long? GoneSince { get; init; }
    public long BackoffLevel { get; init; }
    public long? PollIntervalMs { get; init; }
    public long? FeedMinIntervalMs { get; init; }
    public long? RhythmSince { get; init; }
    public long? RhythmItems { get; init; }
    public long ItemsLeftOut { get; init; }

    public static SourceRow From(SourceState state) => new()
    {
        Id = state.SourceId,
        Url = state.Url,
        ETag = state.Validators.ETag,
        LastModified = state.Validators.LastModified,
        LastAttemptAt = ToMs(state.LastAttemptAt),
        LastSuccessAt = ToMs(state.LastSuccessAt),
        LastOutcome = state.LastOutcome?.ToString(),
        LastError = state.LastError,
        LastErrorCategory = state.LastErrorCategory,
        LastHttpStatus = state.LastHttpStatus,
        ConsecutiveFailures = state.ConsecutiveFailures,
        NextDueAt = ToMs(state.NextDueAt),
        RetryNotBefore = ToMs(state.RetryNotBefore),
        FeedTitle = state.FeedTitle,
        FeedLink = state.FeedLink,
        FeedLanguage = state.FeedLanguage,
        MovedTo = state.MovedTo,
        RedirectCandidate = state.RedirectCandidate,
        GoneSince = ToMs(state.GoneSince),
        BackoffLevel = state.BackoffLevel,
        PollIntervalMs = (long?)state.PollInterval?.TotalMilliseconds,
        FeedMinIntervalMs = (long?)state.FeedMinInterval?.TotalMilliseconds,
        RhythmSince = ToMs(state.Rhythm?.Oldest),
        RhythmItems = state.Rhythm?.Items,
        ItemsLeftOut = state.ItemsLeftOut,
    };

    public SourceState ToState() => new()
    {
        SourceId = Id,
        Url = Url,
        Validators = new Validators(ETag, LastModified),
        LastAttemptAt = FromMs(LastAttemptAt),
        LastSuccessAt = FromMs(LastSuccessAt),
        LastOutcome = Enum.TryParse<PollOutcome>(LastOutcome, out var outcome) ? outcome : null,
        LastError = LastError,
        LastErrorCategory = LastErrorCategory,
        LastHttpStatus = (int?)LastHttpStatus,
        ConsecutiveFailures = (int)ConsecutiveFailures,
        NextDueAt = FromMs(NextDueAt),
        RetryNotBefore = FromMs(RetryNotBefore),
        FeedTitle = FeedTitle,
        FeedLink = FeedLink,
        FeedLanguage = FeedLanguage,
        MovedTo = MovedTo,
        RedirectCandidate = RedirectCandidate,
        GoneSince = FromMs(GoneSince),
        BackoffLevel = (int)BackoffLevel,
        PollInterval = PollIntervalMs is { } interval ? TimeSpan.FromMilliseconds(interval) : null,
        FeedMinInterval = FeedMinIntervalMs is { } minimum ? TimeSpan.FromMilliseconds(minimum) : null,
        Rhythm = (RhythmSince, RhythmItems) is ({ } since, { } items) ? new ItemRhythm(DateTimeOffset.FromUnixTimeMilliseconds(since), (int)items) : null,
        ItemsLeftOut = (int)ItemsLeftOut,
    };

    /// <summary>A stored time; one beyond what DateTimeOffset holds (a row edited by hand) is read as the nearest it can.</summary>
    private static DateTimeOffset? FromMs(long? ms) => ms is { } value
        ? DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(value, DateTimeOffset.MinValue.ToUnixTimeMilliseconds(), DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()))
        : null;

    private static long? ToMs(DateTimeOffset? time) => time?.ToUnixTimeMilliseconds();
}
