using Feeds.Core.Sources;

namespace Feeds.Core.Storage;

/// <summary>What the hourly retention pass asks of the store: delete what each source's retention no longer keeps.</summary>
public interface IRetentionStore
{
    /// <summary>How long a deleted item's tombstone stops a feed that still carries it from storing it again.</summary>
    static readonly TimeSpan TombstoneLifetime = TimeSpan.FromDays(180);

    /// <summary>
    /// Deletes each source's items beyond its retention — published before its age limit, or older than its newest
    /// <see cref="RetentionSettings.MaxItems"/> — except the ones <paramref name="shownIds"/> names, in one transaction,
    /// and gives the freed space back. A deleted item leaves a tombstone (key and content hash) for
    /// <see cref="TombstoneLifetime"/>, so a feed that still carries it does not bring it back
    /// (<see cref="IPollStore.GetItemHashesAsync"/>); older tombstones are forgotten.
    /// </summary>
    /// <param name="retentionOf">The retention of a source id (sources no longer configured included).</param>
    /// <param name="shownIds">
    /// The ids of the items that sections' first pages show. Asked while no poll can be saved, so no poll can change a
    /// first page between the answer and the delete; and asked only when some source has anything past its retention, so
    /// a pass that finds nothing to delete reads no first page.
    /// </param>
    Task<PruneResult> PruneAsync(Func<string, RetentionSettings> retentionOf, Func<CancellationToken, Task<IReadOnlySet<long>>> shownIds,
        CancellationToken cancellationToken);
}
