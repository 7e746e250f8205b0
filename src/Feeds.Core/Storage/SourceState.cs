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

    /// <summary>Backoff after failures, or the source's Retry-After: no poll of any kind before this.</summary>
    public DateTimeOffset? RetryNotBefore { get; init; }

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
