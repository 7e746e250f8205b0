using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Feeds.Core.Metrics;

namespace Feeds.Tests.Support;

/// <summary>
/// What story placement measured (<c>feeds.stories.postings_read</c> per poll, <c>feeds.stories.compared</c> per new
/// item) in the code the test runs from the moment it listens: other tests' placements, recorded on their own async
/// flows, are not counted.
/// </summary>
public sealed class StoryPlacementMeasurements : IDisposable
{
    private static readonly AsyncLocal<StoryPlacementMeasurements?> Listening = new();
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<int> _postingsRead = new(), _compared = new();

    private StoryPlacementMeasurements()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == FeedsMetrics.MeterName && instrument.Name is "feeds.stories.postings_read" or "feeds.stories.compared")
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<int>((instrument, count, _, _) =>
        {
            if (Listening.Value == this)
                (instrument.Name == "feeds.stories.compared" ? _compared : _postingsRead).Enqueue(count);
        });
        _listener.Start();
    }

    /// <summary>One count per poll that placed items: the postings of the story-term index it read.</summary>
    public IReadOnlyList<int> PostingsRead => [.. _postingsRead];

    /// <summary>One count per item placed, in the order they were placed: the stored reports it was compared with.</summary>
    public IReadOnlyList<int> Compared => [.. _compared];

    /// <summary>Starts counting the placements of this async flow (called from the test, not from an async helper, so the flow keeps it).</summary>
    public static StoryPlacementMeasurements Listen() => Listening.Value = new StoryPlacementMeasurements();

    public void Dispose() => _listener.Dispose();
}
