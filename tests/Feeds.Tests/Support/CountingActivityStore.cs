using System.Collections.Concurrent;
using Feeds.Core.Storage;

namespace Feeds.Tests.Support;

/// <summary>
/// The activity store of the real service with each read of a page's sources noted (the ids it asked for), to tell a
/// status page rendered from one kept, and a render that reads its page from one that reads the catalogue.
/// </summary>
public sealed class CountingActivityStore(IActivityStore inner) : IActivityStore
{
    private readonly ConcurrentQueue<IReadOnlyList<string>> _sourceReads = new();

    /// <summary>The source ids of each <see cref="GetSourceActivityAsync"/> so far, in order.</summary>
    public IReadOnlyList<IReadOnlyList<string>> SourceReads => [.. _sourceReads];

    public Task<IReadOnlyList<HourlyActivity>> GetSourceActivityAsync(IReadOnlyCollection<string> sourceIds, DateTimeOffset since, CancellationToken cancellationToken)
    {
        _sourceReads.Enqueue([.. sourceIds]);
        return inner.GetSourceActivityAsync(sourceIds, since, cancellationToken);
    }

    public Task<IReadOnlyList<HourlyActivity>> GetNewItemsAsync(DateTimeOffset since, CancellationToken cancellationToken) =>
        inner.GetNewItemsAsync(since, cancellationToken);
}
