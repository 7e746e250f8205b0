namespace Feeds.Core.Storage;

/// <summary>What a retention pass did.</summary>
/// <param name="RemovedBySource">Items deleted, per source id (sources that lost none are left out).</param>
/// <param name="Spared">Items past their retention that were kept because a section's first page shows them.</param>
public sealed record PruneResult(IReadOnlyDictionary<string, int> RemovedBySource, int Spared)
{
    public int Removed => RemovedBySource.Values.Sum();
}
