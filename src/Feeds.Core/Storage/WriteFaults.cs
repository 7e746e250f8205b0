using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace Feeds.Core.Storage;

/// <summary>
/// Saves that fail for a reason outside the program (a full disk, a read-only file): the store's
/// <see cref="IPollStore.WriteFault"/> from the first such failure until a save succeeds, one log line each way, and on each
/// source whose poll was lost, that poll as a failure shown over its stored state until the source saves again. The store
/// keeps serving what it has meanwhile. Each implementation decides which of its errors are such faults.
/// </summary>
internal sealed partial class WriteFaults(string databasePath, TimeProvider clock, ILogger<WriteFaults> logger)
{
    // Polls that could not be saved, by source, until one of that source saves: shown on its state.
    private readonly ConcurrentDictionary<string, UnsavedPoll> _unsavedPolls = new();
    private StoreFault? _current;
    private long _pollsEnded;

    public StoreFault? Current => Volatile.Read(ref _current);

    /// <summary>How many polls were saved or lost: each changes what a source's state shows (one of the counts behind <see cref="IStatusStore.ChangeCount"/>).</summary>
    public long PollsEnded => Interlocked.Read(ref _pollsEnded);

    /// <summary>
    /// Notes a fault of the machine on the store and on the source whose poll it stopped, then answers false: an exception
    /// filter that lets the exception go on. A null <paramref name="reason"/> (a fault of the program) notes nothing. A full
    /// disk can fail the reads of a poll too, so those note it as well.
    /// </summary>
    public bool Note(string? reason, string sourceId, string? url)
    {
        if (reason is null)
            return false;
        var now = clock.GetUtcNow();
        _unsavedPolls[sourceId] = new UnsavedPoll(url, now, reason);
        Interlocked.Increment(ref _pollsEnded);
        if (Interlocked.CompareExchange(ref _current, new StoreFault(reason, now), null) is null)
            LogNotWritable(databasePath, reason);
        return false;
    }

    /// <summary>A poll of the source was saved: its lost poll is no longer shown, and the store can write again.</summary>
    public void Saved(string sourceId)
    {
        _unsavedPolls.TryRemove(sourceId, out _);
        Interlocked.Increment(ref _pollsEnded);
        if (Interlocked.Exchange(ref _current, null) is { } fault)
            LogWritable(databasePath, clock.GetUtcNow() - fault.Since);
    }

    /// <summary>The source's stored state, or its lost poll over it while there is one.</summary>
    public SourceState? ShowOn(SourceState? stored, string sourceId) =>
        _unsavedPolls.TryGetValue(sourceId, out var unsaved) ? unsaved.ShowOn(stored, sourceId) : stored;

    /// <summary>Each stored state with its lost poll over it, as they come, then each source known only by its lost poll.</summary>
    public async IAsyncEnumerable<SourceState> ShowOn(IAsyncEnumerable<SourceState> stored, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The lost polls as the read starts (almost always none): one that comes or goes meanwhile changes the
        // store's ChangeCount, so the status is read again.
        var unsaved = new Dictionary<string, UnsavedPoll>(_unsavedPolls, StringComparer.Ordinal);
        await foreach (var state in stored.WithCancellation(cancellationToken))
            yield return unsaved.Remove(state.SourceId, out var poll) ? poll.ShowOn(state, state.SourceId) : state;
        foreach (var (sourceId, poll) in unsaved)
            yield return poll.ShowOn(null, sourceId);
    }

    /// <summary>A poll whose save failed: shown on the source's state, over what is stored, until the source saves again.</summary>
    private sealed record UnsavedPoll(string? Url, DateTimeOffset At, string Reason)
    {
        // Only what is shown changes: the stored validators, schedule and failure counts still decide the next poll.
        public SourceState ShowOn(SourceState? stored, string sourceId) => (stored ?? new SourceState { SourceId = sourceId, Url = Url ?? "" }) with
        {
            LastAttemptAt = At,
            LastOutcome = PollOutcome.Failed,
            LastErrorCategory = "Storage",
            LastError = $"the poll could not be saved: {Reason}",
        };
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot write the database {DatabasePath}: {Reason}. Serving what is stored; polls are redone and saved once it can write again")]
    private partial void LogNotWritable(string databasePath, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database {DatabasePath} is writable again after {Downtime}")]
    private partial void LogWritable(string databasePath, TimeSpan downtime);
}
