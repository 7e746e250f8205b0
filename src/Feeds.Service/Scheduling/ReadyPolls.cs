using Feeds.Core.Refreshing;
using Feeds.Core.Sources;

namespace Feeds.Service.Scheduling;

/// <summary>
/// The polls the due queue has taken on and not yet finished: those waiting for a dispatch slot, a queue per host taken
/// in turn, and those in flight, counted per host. A host gets at most its fetch concurrency of polls in flight, so the
/// sources of a slow or busy host wait here, holding no slot, while other hosts' polls go ahead; and no source has two
/// polls in flight (a moved source's second poll waits for the first). Not thread-safe: the queue holds its lock.
/// </summary>
internal sealed class ReadyPolls
{
    private readonly Dictionary<string, Queue<ReadyPoll>> _waitingByHost = new(StringComparer.OrdinalIgnoreCase);
    // Hosts with waiting polls, in the order they get their next turn.
    private readonly Queue<string> _turns = new();
    private readonly HashSet<string> _waiting = new(StringComparer.Ordinal);
    private readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _inFlightByHost = new(StringComparer.OrdinalIgnoreCase);

    public int InFlight => _inFlight.Count;

    public int Waiting => _waiting.Count;

    /// <summary>Whether the source has a poll waiting or in flight.</summary>
    public bool Holds(string sourceId) => _waiting.Contains(sourceId) || _inFlight.Contains(sourceId);

    /// <summary>The polls waiting for <paramref name="host"/>.</summary>
    public int WaitingFor(string host) => _waitingByHost.TryGetValue(host, out var queue) ? queue.Count : 0;

    /// <summary>Adds a poll behind the others of its host; false when the source already has one waiting.</summary>
    public bool Add(Source source, PollReason reason)
    {
        if (!_waiting.Add(source.Id))
            return false;
        var host = HostOf(source);
        if (!_waitingByHost.TryGetValue(host, out var queue))
        {
            _waitingByHost[host] = queue = new Queue<ReadyPoll>();
            _turns.Enqueue(host);
        }
        queue.Enqueue(new ReadyPoll(source, reason, host));
        return true;
    }

    /// <summary>
    /// The next poll to start, from the next host in turn that has fewer than <paramref name="perHost"/> polls in flight
    /// and whose next source is not being polled; it counts as in flight until <see cref="Finished"/>.
    /// </summary>
    public bool TryStart(int perHost, out ReadyPoll poll)
    {
        for (var tried = _turns.Count; tried > 0; tried--)
        {
            var host = _turns.Dequeue();
            var queue = _waitingByHost[host];
            if (_inFlightByHost.GetValueOrDefault(host) >= perHost || _inFlight.Contains(queue.Peek().Source.Id))
            {
                _turns.Enqueue(host);
                continue;
            }
            poll = queue.Dequeue();
            if (queue.Count > 0)
                _turns.Enqueue(host);
            else
                _waitingByHost.Remove(host);
            _waiting.Remove(poll.Source.Id);
            _inFlight.Add(poll.Source.Id);
            _inFlightByHost[host] = _inFlightByHost.GetValueOrDefault(host) + 1;
            return true;
        }
        poll = default!;
        return false;
    }

    public void Finished(ReadyPoll poll)
    {
        _inFlight.Remove(poll.Source.Id);
        if (--_inFlightByHost[poll.Host] == 0)
            _inFlightByHost.Remove(poll.Host);
        if (_inFlight.Count == 0 && _waiting.Count == 0)
            TrimExcess();
    }

    /// <summary>
    /// Gives back the room start-up took (a slot per source: 3 MB at 20,000 sources) once nothing waits or runs, so
    /// between polls the queue holds nothing that grows with the catalogue.
    /// </summary>
    private void TrimExcess()
    {
        _waitingByHost.TrimExcess();
        _turns.TrimExcess();
        _waiting.TrimExcess();
        _inFlight.TrimExcess();
        _inFlightByHost.TrimExcess();
    }

    /// <summary>The host whose politeness a source's polls are bound by; file sources share one.</summary>
    public static string HostOf(Source source) => source.Location.Url?.IdnHost ?? "";
}

/// <summary>A poll the due queue has taken on: the source, why it is polled, and the host it counts against.</summary>
internal sealed record ReadyPoll(Source Source, PollReason Reason, string Host);
