using Feeds.Core.Fetching;

namespace Feeds.Core.Storage;

/// <summary>A sources row as every store holds it (times in unix ms), and its mapping to and from <see cref="SourceState"/>.</summary>
internal sealed record SourceRow
{
    public const string Select = """
        SELECT id AS Id, url AS Url, etag AS ETag, last_modified AS LastModified, last_attempt_at AS LastAttemptAt,
               last_success_at AS LastSuccessAt, last_outcome AS LastOutcome, last_error AS LastError,
               last_error_category AS LastErrorCategory, last_http_status AS LastHttpStatus,
               consecutive_failures AS ConsecutiveFailures, next_due_at AS NextDueAt, next_due_rule AS NextDueRule, retry_not_before AS RetryNotBefore,
               feed_title AS FeedTitle, feed_link AS FeedLink, moved_to AS MovedTo, redirect_candidate AS RedirectCandidate,
               gone_since AS GoneSince, backoff_level AS BackoffLevel, poll_interval_ms AS PollIntervalMs,
               feed_min_interval_ms AS FeedMinIntervalMs, rhythm_since AS RhythmSince, rhythm_items AS RhythmItems, items_left_out AS ItemsLeftOut,
               body_hash AS BodyHash,
               feed_language AS FeedLanguage
        FROM sources
        """;

    /// <summary>Inserts the row or updates it; a feed title, link or language the poll did not get keeps its stored value. Standard SQL both stores run.</summary>
    public const string Upsert = """
        INSERT INTO sources (id, url, etag, last_modified, last_attempt_at, last_success_at, last_outcome, last_error,
                             last_error_category, last_http_status, consecutive_failures, next_due_at, next_due_rule, retry_not_before, feed_title, feed_link,
                             moved_to, redirect_candidate, gone_since, backoff_level, poll_interval_ms, feed_min_interval_ms,
                             rhythm_since, rhythm_items, feed_language, items_left_out, body_hash)
        VALUES (@Id, @Url, @ETag, @LastModified, @LastAttemptAt, @LastSuccessAt, @LastOutcome, @LastError,
                @LastErrorCategory, @LastHttpStatus, @ConsecutiveFailures, @NextDueAt, @NextDueRule, @RetryNotBefore, @FeedTitle, @FeedLink,
                @MovedTo, @RedirectCandidate, @GoneSince, @BackoffLevel, @PollIntervalMs, @FeedMinIntervalMs,
                @RhythmSince, @RhythmItems, @FeedLanguage, @ItemsLeftOut, @BodyHash)
        ON CONFLICT (id) DO UPDATE SET
            url = excluded.url, etag = excluded.etag, last_modified = excluded.last_modified,
            last_attempt_at = excluded.last_attempt_at, last_success_at = excluded.last_success_at,
            last_outcome = excluded.last_outcome, last_error = excluded.last_error,
            last_error_category = excluded.last_error_category, last_http_status = excluded.last_http_status,
            consecutive_failures = excluded.consecutive_failures, next_due_at = excluded.next_due_at, next_due_rule = excluded.next_due_rule,
            retry_not_before = excluded.retry_not_before,
            moved_to = excluded.moved_to, redirect_candidate = excluded.redirect_candidate, gone_since = excluded.gone_since,
            backoff_level = excluded.backoff_level, poll_interval_ms = excluded.poll_interval_ms,
            feed_min_interval_ms = excluded.feed_min_interval_ms, rhythm_since = excluded.rhythm_since, rhythm_items = excluded.rhythm_items,
            items_left_out = excluded.items_left_out, body_hash = excluded.body_hash,
            feed_title = coalesce(excluded.feed_title, sources.feed_title), feed_link = coalesce(excluded.feed_link, sources.feed_link),
            feed_language = coalesce(excluded.feed_language, sources.feed_language)
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
    public string? NextDueRule { get; init; }
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
    public string? BodyHash { get; init; }

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
        NextDueRule = state.NextDueRule,
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
        BodyHash = state.BodyHash,
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
        NextDueRule = NextDueRule,
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
        BodyHash = BodyHash,
    };

    /// <summary>A stored time; one beyond what DateTimeOffset holds (a row edited by hand) is read as the nearest it can.</summary>
    private static DateTimeOffset? FromMs(long? ms) => ms is { } value
        ? DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(value, DateTimeOffset.MinValue.ToUnixTimeMilliseconds(), DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()))
        : null;

    private static long? ToMs(DateTimeOffset? time) => time?.ToUnixTimeMilliseconds();
}
