using System.Diagnostics;
using Feeds.Core.Fetching;
using Feeds.Core.Normalization;
using Feeds.Core.Parsing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Microsoft.Extensions.Logging;

namespace Feeds.Core.Refreshing;

/// <summary>
/// The ingest pipeline for one source, one call per stage: due? → fetch → parse → normalize → store →
/// save state. A failing source records its failure on its own state; nothing escapes to stop the others.
/// </summary>
public sealed partial class SourceRefresher(
    FeedFetcher fetcher,
    FeedNormalizer normalizer,
    IFeedStore store,
    TimeProvider clock,
    ILogger<SourceRefresher> logger)
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(6);

    public async Task<RefreshResult> RefreshAsync(Source source, PollReason reason, CancellationToken cancellationToken)
    {
        var state = await store.GetSourceStateAsync(source.Id, cancellationToken) ?? new SourceState { SourceId = source.Id, Url = source.Location.ToString() };
        var now = clock.GetUtcNow();
        if (DueAt(state, reason) is { } dueAt && dueAt > now)
            return new RefreshResult.NotDue(source.Id, dueAt);

        var started = Stopwatch.GetTimestamp();
        var fetched = await fetcher.FetchAsync(source.Location, state.Validators, cancellationToken);
        var result = fetched switch
        {
            FetchResult.NotModified notModified => await SaveNotModifiedAsync(source, state, notModified, cancellationToken),
            FetchResult.Failed failed => await SaveFailureAsync(source, state, failed.Category.ToString(), failed.Reason, failed.StatusCode, failed.RetryAfter, cancellationToken),
            FetchResult.Fetched body => await IngestAsync(source, state, body, cancellationToken),
            _ => throw new UnreachableException(),
        };
        LogPolled(source.Id, result, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return result;
    }

    private async Task<RefreshResult> IngestAsync(Source source, SourceState state, FetchResult.Fetched fetched, CancellationToken cancellationToken)
    {
        ParsedFeed feed;
        try
        {
            feed = FeedParser.Parse(fetched.Body, FeedParser.CharsetOf(fetched.ContentType));
        }
        catch (FeedParseException e)
        {
            return await SaveFailureAsync(source, state, "Parse", e.Message, fetched.StatusCode, null, cancellationToken);
        }
        var entries = normalizer.Identify(feed, source.Location.BaseUri);
        var known = await store.GetItemHashesAsync(source.Id, cancellationToken);
        var changed = entries
            .Where(entry => !known.TryGetValue(entry.Key, out var hash) || hash != entry.ContentHash)
            .Select(entry => normalizer.NormalizeEntry(entry, feed.Channel))
            .ToList();
        var now = clock.GetUtcNow();
        var channel = normalizer.NormalizeChannel(feed, source.Location.BaseUri);
        var saved = await store.SavePollAsync(Succeeded(source, state, now, fetched.Validators, fetched.StatusCode, PollOutcome.Updated) with
        {
            FeedTitle = channel.Title,
            FeedLink = channel.Link,
            FeedLanguage = channel.Language,
        }, changed, cancellationToken);
        return new RefreshResult.Updated(source.Id, entries.Count, saved.Added, saved.Updated);
    }

    private async Task<RefreshResult> SaveNotModifiedAsync(Source source, SourceState state, FetchResult.NotModified notModified, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await store.SavePollAsync(Succeeded(source, state, now, notModified.Validators, 304, PollOutcome.NotModified), [], cancellationToken);
        return new RefreshResult.NotModified(source.Id);
    }

    private async Task<RefreshResult> SaveFailureAsync(Source source, SourceState state, string category, string reason, int? status, TimeSpan? retryAfter, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var failures = state.ConsecutiveFailures + 1;
        var retryNotBefore = now + Backoff(source.Interval, failures, retryAfter);
        await store.SavePollAsync(state with
        {
            Url = source.Location.ToString(),
            LastAttemptAt = now,
            LastOutcome = PollOutcome.Failed,
            LastError = reason,
            LastErrorCategory = category,
            LastHttpStatus = status,
            ConsecutiveFailures = failures,
            NextDueAt = retryNotBefore > now + source.Interval ? retryNotBefore : now + source.Interval,
            RetryNotBefore = retryNotBefore,
        }, [], cancellationToken);
        return new RefreshResult.Failed(source.Id, category, reason, retryNotBefore);
    }

    private static SourceState Succeeded(Source source, SourceState state, DateTimeOffset now, Validators validators, int status, PollOutcome outcome) => state with
    {
        Url = source.Location.ToString(),
        Validators = validators,
        LastAttemptAt = now,
        LastSuccessAt = now,
        LastOutcome = outcome,
        LastError = null,
        LastErrorCategory = null,
        LastHttpStatus = status,
        ConsecutiveFailures = 0,
        NextDueAt = now + source.Interval,
        RetryNotBefore = null,
    };

    /// <summary>
    /// A scheduled poll waits for the schedule (less a little slack for timer drift); every poll waits out a
    /// backoff or the source's Retry-After.
    /// </summary>
    private static DateTimeOffset? DueAt(SourceState state, PollReason reason)
    {
        var scheduled = reason == PollReason.Schedule ? state.NextDueAt - TimeSpan.FromSeconds(5) : null;
        return (scheduled, state.RetryNotBefore) switch
        {
            ({ } a, { } b) => a > b ? a : b,
            var (a, b) => a ?? b,
        };
    }

    /// <summary>The source's Retry-After (capped at a day), else the interval doubled per consecutive failure, capped.</summary>
    internal static TimeSpan Backoff(TimeSpan interval, int failures, TimeSpan? retryAfter)
    {
        if (retryAfter is { } asked && asked > TimeSpan.Zero)
            return asked < TimeSpan.FromDays(1) ? asked : TimeSpan.FromDays(1);
        var backoff = interval * Math.Pow(2, Math.Min(failures - 1, 16));
        return backoff < MaxBackoff ? backoff : MaxBackoff;
    }

    private void LogPolled(string sourceId, RefreshResult result, double elapsedMs)
    {
        switch (result)
        {
            case RefreshResult.Updated updated:
                LogUpdated(sourceId, updated.ItemsInFeed, updated.Added, updated.Changed, elapsedMs);
                break;
            case RefreshResult.NotModified:
                LogNotModified(sourceId, elapsedMs);
                break;
            case RefreshResult.Failed failed:
                LogFailed(sourceId, failed.Category, failed.Reason, failed.RetryNotBefore, elapsedMs);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Polled {SourceId}: {ItemsInFeed} items in feed, {Added} new, {Changed} changed ({ElapsedMs:0} ms)")]
    private partial void LogUpdated(string sourceId, int itemsInFeed, int added, int changed, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Polled {SourceId}: not modified ({ElapsedMs:0} ms)")]
    private partial void LogNotModified(string sourceId, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Poll of {SourceId} failed ({Category}): {Reason}; next try not before {RetryNotBefore:u} ({ElapsedMs:0} ms)")]
    private partial void LogFailed(string sourceId, string category, string reason, DateTimeOffset retryNotBefore, double elapsedMs);
}
