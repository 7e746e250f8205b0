using Feeds.Core.Storage;

// In the tests' root namespace, so every test reads states the same way without a using.
namespace Feeds.Tests;

public static class SourceStateReads
{
    /// <summary>Every state <see cref="IStatusStore.ReadSourceStatesAsync"/> streams, collected and ordered by source id: what a test compares.</summary>
    public static async Task<IReadOnlyList<SourceState>> GetSourceStatesAsync(this IStatusStore store, CancellationToken cancellationToken)
    {
        var states = new List<SourceState>();
        await foreach (var state in store.ReadSourceStatesAsync(cancellationToken))
            states.Add(state);
        return states.OrderBy(s => s.SourceId, StringComparer.Ordinal).ToList();
    }
}
