using System.Diagnostics.Metrics;

namespace Feeds.Core.Metrics;

/// <summary>How a poll ended, as the <c>outcome</c> label of <c>feeds_polls_total</c> spells it.</summary>
public enum PollOutcomeLabel
{
    Updated,
    NotModified,
    Failed,
}

/// <summary>
/// The service's measurements, on the .NET metrics API (System.Diagnostics.Metrics) so any exporter can
/// publish them; the host exports them as Prometheus text at <c>/metrics</c> (<c>feeds_polls_total</c>,
/// <c>feeds_poll_duration_seconds</c>, ...). The stages feed it plain values, so it knows none of their types
/// and every stage may use it.
/// </summary>
public static class FeedsMetrics
{
    public const string MeterName = "Feeds";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Polls = Meter.CreateCounter<long>("feeds.polls", description: "Polls of sources by outcome (updated, not_modified, failed) and failure category");
    private static readonly Histogram<double> PollDuration = Meter.CreateHistogram<double>("feeds.poll.duration", unit: "s", description: "Time from the start of a fetch to the poll's result being stored");
    private static readonly Counter<long> FetchedBytes = Meter.CreateCounter<long>("feeds.fetched.bytes", unit: "By", description: "Body bytes read from sources, after decompression");
    private static readonly Counter<long> NewItems = Meter.CreateCounter<long>("feeds.items.new", description: "Items stored for the first time");
    private static readonly Counter<long> UpdatedItems = Meter.CreateCounter<long>("feeds.items.updated", description: "Stored items whose content changed");
    private static readonly Counter<long> NormalizedItems = Meter.CreateCounter<long>("feeds.items.normalized", description: "Entries of fetched bodies normalized (sanitized): new, or their content changed");
    private static readonly Counter<long> UnchangedItems = Meter.CreateCounter<long>("feeds.items.unchanged", description: "Entries of fetched bodies not normalized again: their stored fingerprint matched");
    private static readonly Counter<long> UnchangedBodies = Meter.CreateCounter<long>("feeds.bodies.unchanged", description: "Fetched bodies identical to the source's last one, byte for byte: neither parsed nor normalized");
    private static readonly Counter<long> FeedRequests = Meter.CreateCounter<long>("feeds.feed.requests", description: "Section feed requests by format and HTTP status (200, 304)");
    private static readonly Counter<long> RenderFaults = Meter.CreateCounter<long>("feeds.render.faults", description: "Rows left out of a page because its writer refused them (left_out), and pages that failed (page_failed)");
    private static readonly Histogram<int> StoryPostingsRead = Meter.CreateHistogram<int>("feeds.stories.postings_read", description: "Postings of the story-term index a poll read to place its new items (bounded per sought term, whatever the catalogue)");
    private static readonly Histogram<int> StoryComparisons = Meter.CreateHistogram<int>("feeds.stories.compared", description: "Stored reports a new item was compared with to find its story (bounded per item, whatever the catalogue)");
    private static readonly Counter<long> RenderCache = Meter.CreateCounter<long>("feeds.render.cache", description: "Document lookups answered from bytes rendered for their version (hit), from the bytes kept while a newer rendering is on its way (kept), or rendered anew (miss)");
    private static readonly Counter<long> JobRuns = Meter.CreateCounter<long>("feeds.job.runs", description: "Runs of the scheduler's jobs by job (PollDueSourcesJob, RefreshSourceJob, RetentionJob, ...)");
    private static readonly Counter<double> WriterBusy = Meter.CreateCounter<double>("feeds.store.writer.busy", unit: "s", description: "Time the SQLite store's single writer was held by a save, a prune or a due-time update: the part of ingest that cannot use a second core");
    private static readonly Histogram<int> PollsPerCommit = Meter.CreateHistogram<int>("feeds.store.commit.polls", description: "Polls saved by one commit of the SQLite store: the polls that waited for its writer together are saved as one group");
    private static readonly Counter<long> ScheduleReads = Meter.CreateCounter<long>("feeds.schedule.reads", description: "Reads of the stored due times by the due queue: the due sources (due) and the next due time (next_due)");

    /// <param name="outcome">How the poll ended.</param>
    /// <param name="failureCategory">The failure category of a failed poll (<c>Timeout</c>, <c>HttpStatus</c>, ...); empty otherwise.</param>
    /// <param name="elapsed">From the start of the fetch to the poll's result being stored.</param>
    /// <param name="fetchedBytes">Body bytes read, after decompression; 0 when no body was read.</param>
    /// <param name="newItems">Items stored for the first time.</param>
    /// <param name="updatedItems">Stored items whose content changed.</param>
    public static void RecordPoll(PollOutcomeLabel outcome, string failureCategory, TimeSpan elapsed, long fetchedBytes, int newItems, int updatedItems)
    {
        var label = outcome switch
        {
            PollOutcomeLabel.Updated => "updated",
            PollOutcomeLabel.NotModified => "not_modified",
            _ => "failed",
        };
        Polls.Add(1, new("outcome", label), new("category", failureCategory));
        PollDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("outcome", label));
        if (fetchedBytes > 0)
            FetchedBytes.Add(fetchedBytes);
        if (newItems > 0)
            NewItems.Add(newItems);
        if (updatedItems > 0)
            UpdatedItems.Add(updatedItems);
    }

    /// <param name="normalized">Entries of a fetched body that were normalized: new, or changed since stored.</param>
    /// <param name="unchanged">Entries of it skipped before normalizing, their stored fingerprint being the same.</param>
    public static void RecordEntries(int normalized, int unchanged)
    {
        if (normalized > 0)
            NormalizedItems.Add(normalized);
        if (unchanged > 0)
            UnchangedItems.Add(unchanged);
    }

    /// <summary>A 200 whose body was the source's last one again, so it was not parsed.</summary>
    public static void RecordUnchangedBody() => UnchangedBodies.Add(1);

    public static void RecordFeedRequest(string format, int status) =>
        FeedRequests.Add(1, new("format", format), new("status", status));

    public static void RecordRenderFault(bool pageFailed) =>
        RenderFaults.Add(1, new KeyValuePair<string, object?>("kind", pageFailed ? "page_failed" : "left_out"));

    public static void RecordRenderCache(RenderCacheResult result) =>
        RenderCache.Add(1, new KeyValuePair<string, object?>("result", result.ToString().ToLowerInvariant()));

    /// <param name="job">The job's type name, one series per kind of job whatever the number of sources.</param>
    public static void RecordJobRun(string job) => JobRuns.Add(1, new KeyValuePair<string, object?>("job", job));

    /// <param name="query"><c>due</c>: a read of due sources; <c>next_due</c>: a read of the earliest due time.</param>
    public static void RecordScheduleRead(string query) => ScheduleReads.Add(1, new KeyValuePair<string, object?>("query", query));

    /// <param name="held">How long the store's single writer was held by one turn, from taking it to letting it go.</param>
    public static void RecordWriterBusy(TimeSpan held) => WriterBusy.Add(held.TotalSeconds);

    /// <param name="polls">How many polls one commit of the SQLite store saved.</param>
    public static void RecordCommit(int polls) => PollsPerCommit.Record(polls);

    /// <param name="postingsRead">The postings of the story-term index a poll read to place its new items.</param>
    public static void RecordStoryPostingsRead(int postingsRead) => StoryPostingsRead.Record(postingsRead);

    /// <param name="compared">The stored reports a new item was compared with when placed in its story.</param>
    public static void RecordStoryPlacement(int compared) => StoryComparisons.Record(compared);
}

/// <summary>How the render cache answered a lookup.</summary>
public enum RenderCacheResult
{
    /// <summary>The bytes rendered for the version asked.</summary>
    Hit,

    /// <summary>The bytes kept from an older version while a newer rendering is on its way.</summary>
    Kept,

    /// <summary>Rendered anew for the request.</summary>
    Miss,
}
