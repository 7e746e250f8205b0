using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Feeds.Core.Metrics;

namespace Feeds.Tests.Support;

/// <summary>
/// What ingest counted (<c>feeds.items.normalized</c>, <c>feeds.items.unchanged</c>, <c>feeds.bodies.unchanged</c>) in
/// the code the test runs from the moment it listens: other tests' polls, counted on their own async flows, are not.
/// </summary>
public sealed class IngestMeasurements : IDisposable
{
    private static readonly AsyncLocal<IngestMeasurements?> Listening = new();
    private static readonly string[] Counted = ["feeds.items.normalized", "feeds.items.unchanged", "feeds.bodies.unchanged"];
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _totals = new();

    private IngestMeasurements()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == FeedsMetrics.MeterName && Counted.Contains(instrument.Name))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, count, _, _) =>
        {
            if (Listening.Value == this)
                _totals.AddOrUpdate(instrument.Name, count, (_, total) => total + count);
        });
        _listener.Start();
    }

    /// <summary>Entries normalized: new, or changed since stored.</summary>
    public long Normalized => _totals.GetValueOrDefault("feeds.items.normalized");

    /// <summary>Entries of fetched bodies skipped before normalizing, their stored fingerprint being the same.</summary>
    public long Unchanged => _totals.GetValueOrDefault("feeds.items.unchanged");

    /// <summary>Bodies byte-identical to the source's last one, not parsed.</summary>
    public long UnchangedBodies => _totals.GetValueOrDefault("feeds.bodies.unchanged");

    /// <summary>Starts counting the ingest of this async flow (called from the test, not from an async helper, so the flow keeps it).</summary>
    public static IngestMeasurements Listen() => Listening.Value = new IngestMeasurements();

    public void Dispose() => _listener.Dispose();
}
