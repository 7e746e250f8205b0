using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Feeds.Core.Fetching;
using Feeds.Core.Metrics;
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
    IPollStore store,
    OutageDetector outages,
    IngestGate ingestGate,
    FetchingSettings settings,
    TimeProvider clock,
    Jitter jitter,
    ILogger<SourceRefresher> logger)
{
    // At most one poll of a source in flight, whichever path asked: the schedule, start-up or a manual refresh.
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _inFlight = new();

    /// <summary>Polls <paramref name="source"/> unless it is not due for <paramref name="reason"/>.</summary>
    public Task<RefreshResult> RefreshAsync(Source source, PollReason reason, CancellationToken cancellationToken) =>
        RefreshAsync(source, reason, stopWaiting: CancellationToken.None, cancellationToken);

    /// <inheritdoc cref="RefreshAsync(Source, PollReason, CancellationToken)"/>
    /// <param name="stopWaiting">
    /// Gives up a poll still waiting on its source (or on its turn to ask it), as the service stops: nothing of it is
    /// saved, and the next start polls the source again. Once the answer has come, only <paramref name="cancellationToken"/>
    /// stops its save. A source that hangs would otherwise hold a stop for the whole of the host's shutdown timeout.
    /// </param>
    /// <exception cref="OperationCanceledException">Given up or cancelled.</exception>
    public async Task<RefreshResult> RefreshAsync(Source source, PollReason reason, CancellationToken stopWaiting, CancellationToken cancellationToken)
    {
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stopWaiting, cancellationToken);
        var gate = _inFlight.GetOrAdd(source.Id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(waiting.Token);
        try
        {
            return await PollAsync(source, reason, waiting.Token, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<RefreshResult> PollAsync(Source source, PollReason reason, CancellationToken waiting, CancellationToken cancellationToken)
    {
        var state = await LoadStateAsync(source, cancellationToken);
        if (DueAt(state, reason) is { } dueAt && dueAt > clock.GetUtcNow())
            return new RefreshResult.NotDue(source.Id, dueAt);

        var started = clock.GetTimestamp();
        var location = PolledLocation(source, state);
        FetchResult? fetched = null;
        RefreshResult result;
        try
        {
            // The answer is worked on while its fetch still counts against the fetch limit: no more bodies wait than that.
            result = await fetcher.FetchAsync(location, state.Validators, async answer =>
            {
                fetched = answer;
                RecordReachability(location, answer);
                return answer switch
                {
                    FetchResult.NotModified notModified => await SaveNotModifiedAsync(source, state, notModified, cancellationToken),
                    FetchResult.Failed failed => await SaveFailureAsync(source, state, failed, cancellationToken),
                    FetchResult.Fetched body => await IngestAsync(source, state, body, cancellationToken),
                    _ => throw new UnreachableException(),
                };
            }, waiting);
        }
        // While the store cannot write (a full disk, a read-only file) it shows the unsaved poll itself, and saving a
        // failure would fail the same way: that exception goes on to the job.
        catch (Exception e) when ((e is not OperationCanceledException || !waiting.IsCancellationRequested) && store.WriteFault is null)
        {
            // A bug of ours, not something the source did. It is still this source's poll that failed: recorded on its
            // state and shown like any failure, and backed off so it is not redone in a loop.
            LogInternal(e, source.Id);
            result = await SaveFailureAsync(source, state, new Failure(InternalFailure, InternalReason(e), null), cancellationToken);
        }
        var elapsed = clock.GetElapsedTime(started);
        LogPolled(source.Id, location.ToString(), result, elapsed.TotalMilliseconds);
        // Only the body's length: its bytes went back to the pool when the answer was done with.
        PollMetrics.Record(result, elapsed, fetched is FetchResult.Fetched { Body: var bytes } ? bytes.Length : 0);
        return result;
    }

    /// <summary>The failure category of a poll that ended in an exception: a fault of ours, not of the source.</summary>
    public const string InternalFailure = "Internal";

    /// <summary>What the status shows of an unexpected exception: its type and first line, bounded (the log has the rest).</summary>
    private static string InternalReason(Exception e) =>
        SafeText.Line($"internal error while polling ({e.GetType().Name}): {e.Message}") ?? "internal error while polling";

    private async Task<SourceState> LoadStateAsync(Source source, CancellationToken cancellationToken)
    {
        var configured = source.Location.ToString();
        var state = await store.GetSourceStateAsync(source.Id, cancellationToken);
        if (state is null)
            return new SourceState { SourceId = source.Id, Url = configured };
        // The operator changed the URL: where the old one moved, its validators and its penalties no longer apply.
        return state.Url == configured ? state : state with
        {
            Url = configured,
            MovedTo = null,
            RedirectCandidate = null,
            GoneSince = null,
            Validators = Validators.None,
            BackoffLevel = 0,
            RetryNotBefore = null,
        };
    }

    /// <summary>The configured location, or where it permanently moved.</summary>
    private static SourceLocation PolledLocation(Source source, SourceState state) =>
        state.MovedTo is { } moved && Uri.TryCreate(moved, UriKind.Absolute, out var url) ? SourceLocation.ForUrl(url) : source.Location;

    /// <summary>Tells the outage detector whether the network carried this fetch (any HTTP answer does).</summary>
    private void RecordReachability(SourceLocation location, FetchResult fetched)
    {
        if (location.Url is not { } url)
            return;
        switch (fetched)
        {
            case FetchResult.Failed { Category: FetchFailure.BlockedAddress or FetchFailure.BadScheme }:
                return; // refused by us; says nothing about the network
            case FetchResult.Failed failed when OutageDetector.IsUnreachable(failed.Category):
                outages.Record(url.IdnHost, reached: false);
                return;
            default:
                outages.Record(url.IdnHost, reached: true);
                return;
        }
    }

    private async Task<RefreshResult> IngestAsync(Source source, SourceState state, FetchResult.Fetched fetched, CancellationToken cancellationToken)
    {
        // Many servers send no validators, or new ones with the same bytes: the bytes themselves then say nothing changed.
        var bodyHash = BodyHash(source.Location, fetched);
        if (bodyHash == state.BodyHash)
            return await SaveUnchangedBodyAsync(source, state, fetched, cancellationToken);
        using var turn = await ingestGate.EnterAsync(fetched.Body.Length, cancellationToken);
        ParsedFeed feed;
        IdentifiedEntries entries;
        try
        {
            (feed, entries) = normalizer.ParseAndIdentify(fetched.Body, FeedParser.CharsetOf(fetched.ContentType), source.Location.BaseUri);
        }
        catch (FeedParseException e)
        {
            return await SaveFailureAsync(source, state, new Failure(e.Failure.ToString(), e.Message, fetched.StatusCode), cancellationToken);
        }
        if (entries.LeftOut > 0)
            LogOverItemLimit(source.Id, entries.Count + entries.LeftOut, FeedNormalizer.MaxItemsPerDocument, entries.LeftOut);
        var known = await store.GetItemHashesAsync(source.Id, cancellationToken);
        var changed = entries
            .Where(entry => !known.TryGetValue(entry.Key, out var hash) || hash != entry.ContentHash)
            .Select(entry => normalizer.NormalizeEntry(entry, feed.Channel))
            .ToList();
        FeedsMetrics.RecordEntries(normalized: changed.Count, unchanged: entries.Count - changed.Count);
        turn.Normalized();
        var now = clock.GetUtcNow();
        var channel = normalizer.DescribeChannel(feed, source.Location.BaseUri);
        var heard = state with
        {
            Rhythm = ItemRhythm.Of(entries.Select(entry => entry.Published ?? entry.Updated).OfType<DateTimeOffset>(), now),
            ItemsLeftOut = entries.LeftOut,
            FeedMinInterval = PublisherHints.MinimumInterval(feed.Channel),
            FeedTitle = channel.Title,
            FeedLink = channel.Link,
            FeedLanguage = channel.Language,
            BodyHash = bodyHash,
        };
        var saved = await store.SavePollAsync(
            Succeeded(source, heard, now, fetched.Validators, fetched.StatusCode, PollOutcome.Updated, fetched.MovedPermanentlyTo, fetched.MaxAge),
            changed, cancellationToken);
        return new RefreshResult.Updated(source.Id, entries.Count, saved.Added, saved.Updated);
    }

    private async Task<RefreshResult> SaveNotModifiedAsync(Source source, SourceState state, FetchResult.NotModified notModified, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await store.SavePollAsync(
            Succeeded(source, state, now, notModified.Validators, 304, PollOutcome.NotModified, notModified.MovedPermanentlyTo, notModified.MaxAge),
            [], cancellationToken);
        return new RefreshResult.NotModified(source.Id);
    }

    /// <summary>
    /// A 200 with the bytes of the last body saved: the stored items and what the state learned from that body stand, as
    /// after a 304, while the answer's validators and caching hints are taken.
    /// </summary>
    private async Task<RefreshResult> SaveUnchangedBodyAsync(Source source, SourceState state, FetchResult.Fetched fetched, CancellationToken cancellationToken)
    {
        FeedsMetrics.RecordUnchangedBody();
        var now = clock.GetUtcNow();
        await store.SavePollAsync(
            Succeeded(source, state, now, fetched.Validators, fetched.StatusCode, PollOutcome.NotModified, fetched.MovedPermanentlyTo, fetched.MaxAge),
            [], cancellationToken);
        return new RefreshResult.NotModified(source.Id);
    }

    /// <summary>
    /// SHA-256 of a fetched body with what decides how it reads: the source's location (relative links resolve against it)
    /// and its content type (its charset).
    /// </summary>
    private static string BodyHash(SourceLocation location, FetchResult.Fetched fetched)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{location}\n{fetched.ContentType}\n"));
        hash.AppendData(fetched.Body.Span);
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private Task<RefreshResult> SaveFailureAsync(Source source, SourceState state, FetchResult.Failed failed, CancellationToken cancellationToken)
    {
        // Only failures an outage on our side would also cause are weighed against the rest of the network.
        var networkWide = OutageDetector.IsUnreachable(failed.Category) && outages.LooksNetworkWide();
        var marked = failed.Category == FetchFailure.Gone ? state with { GoneSince = state.GoneSince ?? clock.GetUtcNow() } : state;
        return SaveFailureAsync(source, marked, new Failure(failed.Category.ToString(), failed.Reason, failed.StatusCode, failed.RetryAfter, networkWide), cancellationToken);
    }

    private async Task<RefreshResult> SaveFailureAsync(Source source, SourceState state, Failure failure, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var interval = IntervalOf(source, state, now, maxAge: null);
        // A network-wide outage is not the source's fault: retry on its ordinary schedule, without raising its backoff.
        var level = failure.NetworkWide ? state.BackoffLevel : state.BackoffLevel + 1;
        var wait = (state.GoneSince, failure.NetworkWide) switch
        {
            ({ }, _) => new PollWait(PollSchedule.GoneInterval, DueRule.Gone),
            (_, true) => interval with { Wait = interval.Wait + PollSchedule.Spread(interval.Wait, jitter.NextFraction()) },
            _ => PollSchedule.Backoff(interval, level, failure.RetryAfter, settings.Schedule.MaxBackoff, jitter.NextFraction()),
        };
        var retryNotBefore = now + wait.Wait;
        await store.SavePollAsync(state with
        {
            LastAttemptAt = now,
            LastOutcome = PollOutcome.Failed,
            LastError = failure.NetworkWide ? $"{failure.Reason} (most hosts are unreachable: a network-wide outage, not held against this source)" : failure.Reason,
            LastErrorCategory = failure.Category,
            LastHttpStatus = failure.Status,
            ConsecutiveFailures = state.ConsecutiveFailures + 1,
            BackoffLevel = level,
            PollInterval = interval.Wait,
            NextDueAt = retryNotBefore,
            NextDueRule = wait.Rule.Name(),
            RetryNotBefore = retryNotBefore,
        }, [], cancellationToken);
        return new RefreshResult.Failed(source.Id, failure.Category, failure.Reason, retryNotBefore);
    }

    private SourceState Succeeded(Source source, SourceState state, DateTimeOffset now, Validators validators, int status, PollOutcome outcome,
        Uri? movedPermanentlyTo, TimeSpan? maxAge)
    {
        var interval = IntervalOf(source, state, now, maxAge);
        var (movedTo, candidate) = FollowPermanentRedirect(source, state, movedPermanentlyTo);
        return state with
        {
            Validators = validators,
            LastAttemptAt = now,
            LastSuccessAt = now,
            LastOutcome = outcome,
            LastError = null,
            LastErrorCategory = null,
            LastHttpStatus = status,
            ConsecutiveFailures = 0,
            BackoffLevel = 0,
            GoneSince = null,
            MovedTo = movedTo,
            RedirectCandidate = candidate,
            PollInterval = interval.Wait,
            NextDueAt = now + interval.Wait + PollSchedule.Spread(interval.Wait, jitter.NextFraction()),
            NextDueRule = interval.Rule.Name(),
            RetryNotBefore = null,
        };
    }

    /// <summary>
    /// A 301/308 moves the source only when seen on two consecutive polls, so one misconfigured response
    /// cannot take it away for good; 302/307 never move it (RFC 9110 §15.4).
    /// </summary>
    private (string? MovedTo, string? Candidate) FollowPermanentRedirect(Source source, SourceState state, Uri? movedPermanentlyTo)
    {
        if (movedPermanentlyTo?.AbsoluteUri is not { } target)
            return (state.MovedTo, null);
        if (target != state.RedirectCandidate)
            return (state.MovedTo, target);
        LogMoved(source.Id, state.MovedTo ?? state.Url, target);
        return (target, null);
    }

    private PollWait IntervalOf(Source source, SourceState state, DateTimeOffset now, TimeSpan? maxAge) =>
        PollSchedule.Interval(source.Interval, source.HasSchedule, state.Rhythm?.HalfAverageGap(now), state.FeedMinInterval, maxAge, settings.Schedule);

    /// <summary>
    /// When the schedule polls <paramref name="source"/> next, from its stored state: its due time, never before a backoff,
    /// its Retry-After or a Gone source's day; now for a source never polled. When the config changed the source's
    /// schedule (<paramref name="scheduleChanged"/>) the due time is also reckoned from the last poll with the new
    /// interval and the earlier of the two kept: a shorter schedule applies at once, a longer one from the next poll.
    /// </summary>
    public async Task<DateTimeOffset> NextPollAtAsync(Source source, bool scheduleChanged, CancellationToken cancellationToken)
    {
        var state = await LoadStateAsync(source, cancellationToken);
        var now = clock.GetUtcNow();
        if (scheduleChanged && state is { LastAttemptAt: { } last, NextDueAt: { } stored })
        {
            var reckoned = last + IntervalOf(source, state, now, maxAge: null).Wait;
            state = state with { NextDueAt = reckoned < stored ? reckoned : stored };
        }
        return DueAt(state, PollReason.Schedule) ?? now;
    }

    /// <summary>
    /// A scheduled poll waits for the schedule; every poll waits out a backoff, the source's Retry-After or a Gone
    /// source's day. Nothing is taken off <see cref="SourceState.NextDueAt"/> for timer drift: a trigger that fires a
    /// little early finds the source not due, and the scheduler re-arms it at the due time it is told.
    /// </summary>
    private static DateTimeOffset? DueAt(SourceState state, PollReason reason)
    {
        var scheduled = reason == PollReason.Schedule ? state.NextDueAt : null;
        return (scheduled, state.RetryNotBefore) switch
        {
            ({ } a, { } b) => a > b ? a : b,
            var (a, b) => a ?? b,
        };
    }

    private void LogPolled(string sourceId, string feedUrl, RefreshResult result, double elapsedMs)
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
                LogFailed(sourceId, feedUrl, failed.Category, failed.Reason, failed.RetryNotBefore, elapsedMs);
                break;
        }
    }

    /// <summary>A failed poll, from the fetch or the parse stage.</summary>
    private sealed record Failure(string Category, string Reason, int? Status, TimeSpan? RetryAfter = null, bool NetworkWide = false);

    [LoggerMessage(Level = LogLevel.Information, Message = "Polled {SourceId}: {ItemsInFeed} items in feed, {Added} new, {Changed} changed ({ElapsedMs:0} ms)")]
    private partial void LogUpdated(string sourceId, int itemsInFeed, int added, int changed, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Polled {SourceId}: not modified ({ElapsedMs:0} ms)")]
    private partial void LogNotModified(string sourceId, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Poll of {SourceId} ({FeedUrl}) failed ({Category}): {Reason}; next try not before {RetryNotBefore:u} ({ElapsedMs:0} ms)")]
    private partial void LogFailed(string sourceId, string feedUrl, string category, string reason, DateTimeOffset retryNotBefore, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Poll of {SourceId} failed with an internal error; recorded on the source as Internal")]
    private partial void LogInternal(Exception exception, string sourceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Source {SourceId} sent {ItemsInFeed} items, over the limit of {MaxItems} a document: the newest are kept, {LeftOut} left out")]
    private partial void LogOverItemLimit(string sourceId, int itemsInFeed, int maxItems, int leftOut);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Source {SourceId} moved permanently from {FeedUrl} to {MovedTo} (301/308 on two consecutive polls); polling the new URL from now on")]
    private partial void LogMoved(string sourceId, string feedUrl, string movedTo);
}
