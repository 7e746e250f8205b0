using Feeds.Core.Fetching;

namespace Feeds.Core.Refreshing;

/// <summary>Why a poll happens: the start-up and manual polls ignore the schedule but never a backoff or Retry-After.</summary>
public enum PollReason
{
    Startup,
    Schedule,
    Manual,
}

/// <summary>What one poll of one source came to.</summary>
public abstract record RefreshResult(string SourceId)
{
    public sealed record NotDue(string SourceId, DateTimeOffset DueAt) : RefreshResult(SourceId);

    public sealed record NotModified(string SourceId) : RefreshResult(SourceId);

    public sealed record Updated(string SourceId, int ItemsInFeed, int Added, int Changed) : RefreshResult(SourceId);

    public sealed record Failed(string SourceId, string Category, string Reason, DateTimeOffset RetryNotBefore) : RefreshResult(SourceId);
}
