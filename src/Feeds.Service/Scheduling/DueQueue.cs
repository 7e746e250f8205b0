using System.Threading.Channels;
using Feeds.Core.Metrics;
using Feeds.Core.Refreshing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Quartz;

namespace Feeds.Service.Scheduling;

/// <summary>
/// The single node's schedule (SQLite), issue 17: one Quartz job, <see cref="PollDueSourcesJob"/>, armed at the earliest
/// due time in the store. A run reads the due sources from the index on their due time (<see cref="IScheduleStore"/>),
/// polls them with at most <see cref="InFlightPerFetchSlot"/> × the fetch concurrency in flight and at most the
/// per-host concurrency per host (<see cref="ReadyPolls"/>, hosts in turn), goes on while polls run or are due, and
/// re-arms the job at the next due time. Nothing is held per source between its polls, so the schedule's memory and its
/// idle work do not grow with the catalogue; and start-up polls every source once through the same bounded dispatch,
/// not all at once.
/// </summary>
/// <remarks>
/// The store's due times are the schedule, so no trigger can be lost and no safety net is needed: a source whose poll
/// threw is held back in memory for its interval (its due time may not have been saved: a full disk), a source the
/// config no longer has has its due time cleared when the queue meets it. Config edits act at once: an added or moved
/// source is polled now (reason Startup, as at start), a changed schedule moves the stored due time.
/// </remarks>
internal sealed partial class DueQueue(
    ISchedulerFactory schedulers, IScheduleStore store, SourceRefresher refresher, FeedsConfigMonitor configs, FetchingSettings settings,
    TimeProvider clock, ILogger<DueQueue> logger) : IHostedService
{
    /// <summary>
    /// Polls in flight per fetch slot: enough that the fetch slots stay busy while answers are parsed and saved, few
    /// enough that a start-up of 20,000 sources does not hold 20,000 polls waiting on the throttle (550–640 MB).
    /// </summary>
    public const int InFlightPerFetchSlot = 2;

    /// <summary>Due sources read from the store at a time.</summary>
    private const int ReadBatch = 256;

    private static readonly TimeSpan LongestWait = TimeSpan.FromHours(1);

    private readonly Lock _lock = new();
    private readonly ReadyPolls _ready = new();
    // Sources whose poll threw, and the time before which they are not polled again.
    private readonly Dictionary<string, DateTimeOffset> _heldBack = new(StringComparer.Ordinal);
    // Where the last read of due sources stopped: the next goes on from there, so each read finds new ones.
    private DueSource? _readFrom;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    // Taken to arm the trigger and to decide whether a run goes on, so an edit that arrives as a run ends is not lost.
    private readonly SemaphoreSlim _arming = new(1, 1);
    private bool _running;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _aborting = new();
    private TaskCompletionSource _runEnded = CompletedRun();
    private IScheduler? _scheduler;

    /// <summary>Most polls in flight at once, under the fetching settings in force.</summary>
    private int Bound => settings.Schedule.MaxPollsInFlight ?? settings.Fetch.MaxConcurrency * InFlightPerFetchSlot;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _scheduler = await schedulers.GetScheduler(cancellationToken);
        lock (_lock)
        {
            // Every source once at start, whatever its stored schedule says (PollReason.Startup still waits out a backoff).
            foreach (var source in configs.Current.Sources)
                _ready.Add(source, PollReason.Startup);
        }
        configs.Changed += OnConfigChanged;
        await WakeAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        configs.Changed -= OnConfigChanged;
        // No new polls. Those still waiting on their source give up now (a source that hangs would hold the stop for
        // the host's whole shutdown timeout); those whose answer came may save it until that time is up, then are cancelled.
        await _stopping.CancelAsync();
        _wake.Writer.TryWrite(true);
        await using var abort = cancellationToken.Register(_aborting.Cancel);
        await _runEnded.Task;
    }

    private void OnConfigChanged(ConfigChange change) => _ = ApplyAsync(change);

    /// <summary>Applies a config edit to the schedule: see the remarks of <see cref="DueQueue"/>.</summary>
    internal async Task ApplyAsync(ConfigChange change)
    {
        try
        {
            var moved = change.MovedSources.ToList();
            lock (_lock)
            {
                // A new address is a new start: polled at once, whatever the old address's schedule said.
                foreach (var source in change.AddedSources.Concat(moved))
                    _ready.Add(source, PollReason.Startup);
            }
            foreach (var source in change.ChangedSources.Except(moved).Where(source => change.Old.FindSource(source.Id) is not { } old
                || old.Interval != source.Interval || old.HasSchedule != source.HasSchedule))
                await store.SetDueAtAsync(source.Id, await refresher.NextPollAtAsync(source, scheduleChanged: true, CancellationToken.None), CancellationToken.None);
            // Removed sources: a poll waiting for one polls nothing, and the queue clears its due time when it meets it.
            await WakeAsync(CancellationToken.None);
            LogApplied(change.AddedSources.Count, change.RemovedSources.Count, change.ChangedSources.Count);
        }
        catch (Exception e)
        {
            // Nothing awaits this (it runs from the config watcher's event). The sources keep their stored due times.
            LogFailed(e);
        }
    }

    /// <summary>Has what is due looked at now: by the run in progress, or by a run armed for now.</summary>
    private async Task WakeAsync(CancellationToken cancellationToken)
    {
        await _arming.WaitAsync(cancellationToken);
        try
        {
            if (_running)
                _wake.Writer.TryWrite(true);
            else
                await ArmAsync(clock.GetUtcNow(), cancellationToken);
        }
        finally
        {
            _arming.Release();
        }
    }

    /// <summary>
    /// One run of <see cref="PollDueSourcesJob"/>: polls what is due, bounded, until nothing runs and nothing is due, then
    /// arms the job at the next due time.
    /// </summary>
    public async Task RunAsync(IScheduler scheduler, CancellationToken cancellationToken)
    {
        _scheduler = scheduler;
        await _arming.WaitAsync(cancellationToken);
        _running = true;
        _runEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _arming.Release();
        using var polls = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _aborting.Token);
        var running = new List<Task>();
        _readFrom = null;
        try
        {
            while (true)
            {
                _wake.Reader.TryRead(out _);
                running.RemoveAll(task => task.IsCompleted);
                if (!_stopping.IsCancellationRequested)
                    running.AddRange(await DispatchAsync(polls.Token));
                var nextDue = await NextDueAsync(cancellationToken);
                if (running.Count == 0 && await EndRunAsync(nextDue, cancellationToken))
                    return;
                await WaitAsync(nextDue, running, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested || _stopping.IsCancellationRequested)
        {
            // Shutting down: the next start polls every source once anyway.
        }
        finally
        {
            await Task.WhenAll(running);
            _running = false;
            _runEnded.TrySetResult();
        }
    }

    /// <summary>The next time something comes due: a source's stored due time, or the end of a source's holding back.</summary>
    private async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken)
    {
        var stored = await store.GetEarliestDueAfterAsync(clock.GetUtcNow(), cancellationToken);
        FeedsMetrics.RecordScheduleRead("next_due");
        lock (_lock)
            return _heldBack.Count == 0 ? stored : new[] { stored ?? DateTimeOffset.MaxValue, _heldBack.Values.Min() }.Min();
    }

    /// <summary>
    /// Starts every waiting poll there is room for, reading due sources from the store while there is room and few wait:
    /// while polls run, one batch a round (the next round goes on where it stopped); when none runs, until one starts or
    /// the due sources run out. While the slots' worth of polls wait (start-up's), nothing more is read: every source
    /// has its start-up poll waiting or done, and the store is read again once they have started. Returns the polls started.
    /// </summary>
    private async Task<List<Task>> DispatchAsync(CancellationToken cancellationToken)
    {
        var started = new List<Task>();
        var now = clock.GetUtcNow();
        var (readOnce, readAll) = (false, false);
        while (true)
        {
            lock (_lock)
            {
                while (_ready.InFlight < Bound && _ready.TryStart(settings.Fetch.PerHostConcurrency, out var next))
                {
                    var poll = next;
                    started.Add(Task.Run(() => PollAsync(poll, cancellationToken), CancellationToken.None));
                }
                if (_ready.InFlight >= Bound || _ready.Waiting >= Bound || readAll || readOnce && _ready.InFlight > 0)
                    return started;
            }
            readAll = await ReadDueAsync(now, cancellationToken);
            readOnce = true;
        }
    }

    /// <summary>Takes on the next due sources from the store; true when the read reached the last of them.</summary>
    private async Task<bool> ReadDueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var due = await store.GetDueSourcesAsync(now, _readFrom, ReadBatch, cancellationToken);
        FeedsMetrics.RecordScheduleRead("due");
        // At the end, the next read starts over: the sources passed over meanwhile (their host was busy) are still due.
        _readFrom = due.Count < ReadBatch ? null : due[^1];
        var config = configs.Current;
        foreach (var (sourceId, _) in due)
        {
            if (config.FindSource(sourceId) is not { } source)
            {
                await store.SetDueAtAsync(sourceId, null, cancellationToken);
                continue;
            }
            lock (_lock)
            {
                if (_heldBack.TryGetValue(sourceId, out var until))
                {
                    if (until > now)
                        continue;
                    _heldBack.Remove(sourceId);
                }
                // A few of a host's scheduled polls wait here at a time; the rest stay in the store, read again later.
                if (!_ready.Holds(sourceId) && _ready.WaitingFor(ReadyPolls.HostOf(source)) < settings.Fetch.PerHostConcurrency * InFlightPerFetchSlot)
                    _ready.Add(source, PollReason.Schedule);
            }
        }
        return _readFrom is null;
    }

    private async Task PollAsync(ReadyPoll poll, CancellationToken cancellationToken)
    {
        try
        {
            // A source removed from the config while its poll waited is not polled; an edited one is polled as it is now.
            if (configs.Current.FindSource(poll.Source.Id) is not { } source)
                return;
            if (await refresher.RefreshAsync(source, poll.Reason, _stopping.Token, cancellationToken) is RefreshResult.NotDue notDue)
            {
                // The stored due time was earlier than its backoff: moved, so the queue does not meet it again before then.
                await store.SetDueAtAsync(source.Id, notDue.DueAt, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested || _stopping.IsCancellationRequested)
        {
            // Shutting down: the next start polls every source once anyway.
        }
        catch (Exception e)
        {
            // A bug or a storage fault (a full disk) must not escape and stop the schedule; the stored due time may not say
            // when to come back, so the source is tried again after its configured interval.
            var until = clock.GetUtcNow() + poll.Source.Interval;
            lock (_lock)
                _heldBack[poll.Source.Id] = until;
            LogUnexpected(e, poll.Source.Id, until);
        }
        finally
        {
            lock (_lock)
                _ready.Finished(poll);
        }
    }

    /// <summary>Ends the run unless work arrived meanwhile; arms the job at <paramref name="nextDue"/> (none: no source is due).</summary>
    private async Task<bool> EndRunAsync(DateTimeOffset? nextDue, CancellationToken cancellationToken)
    {
        await _arming.WaitAsync(cancellationToken);
        try
        {
            lock (_lock)
            {
                if (_ready.Waiting > 0 && !_stopping.IsCancellationRequested || _wake.Reader.TryRead(out _))
                    return false;
            }
            _running = false;
            if (_stopping.IsCancellationRequested)
                return true;
            if (nextDue is { } at)
                await ArmAsync(at, cancellationToken);
            else
                await _scheduler!.UnscheduleJob(PollDueSourcesJob.Trigger, cancellationToken);
            return true;
        }
        finally
        {
            _arming.Release();
        }
    }

    /// <summary>
    /// Waits for one of the <paramref name="running"/> polls to finish, an edit, or the next due time. A poll's end is
    /// its task's: a wake sent from the poll could be taken by a round that still saw its task running, and the run
    /// would then sleep until the next due time with the poll long done.
    /// </summary>
    private async Task WaitAsync(DateTimeOffset? nextDue, List<Task> running, CancellationToken cancellationToken)
    {
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var woken = _wake.Reader.WaitToReadAsync(waiting.Token).AsTask();
        // At most an hour at a time: Task.Delay takes no more than 49 days, and a backoff may be longer.
        var wait = nextDue is { } at ? Math.Clamp((at - clock.GetUtcNow()).Ticks, 0, LongestWait.Ticks) : LongestWait.Ticks;
        var due = Task.Delay(TimeSpan.FromTicks(wait), clock, waiting.Token);
        await Task.WhenAny([woken, due, .. running]);
        await waiting.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>The job's one trigger, moved to <paramref name="at"/>. Quartz fires a trigger it missed as soon as it can.</summary>
    private async Task ArmAsync(DateTimeOffset at, CancellationToken cancellationToken) =>
        await _scheduler!.ScheduleJob(TriggerBuilder.Create().ForJob(PollDueSourcesJob.Job).WithIdentity(PollDueSourcesJob.Trigger).StartAt(at).Build(),
            ScheduleJobOptions.Replacing, cancellationToken);

    private static TaskCompletionSource CompletedRun()
    {
        var ended = new TaskCompletionSource();
        ended.SetResult();
        return ended;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule follows the config: {Added} source(s) added, {Removed} removed, {Changed} changed")]
    private partial void LogApplied(int added, int removed, int changed);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not apply the config change to the schedule; the sources keep their stored due times")]
    private partial void LogFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Poll of {SourceId} failed unexpectedly; trying again at {DueAt:u}")]
    private partial void LogUnexpected(Exception exception, string sourceId, DateTimeOffset dueAt);
}
