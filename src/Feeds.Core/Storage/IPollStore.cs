using Feeds.Core.Normalization;

namespace Feeds.Core.Storage;

/// <summary>
/// What one poll reads and saves (Refreshing): the source's state, the fingerprints of the items it already has, and the
/// poll itself. A poll is saved whole, items and state together, so a crash never keeps validators for items
/// that were not stored.
/// </summary>
public interface IPollStore
{
    /// <summary>The state saved by the source's last poll; null before its first. Shows a poll that could not be saved (see <see cref="WriteFault"/>).</summary>
    Task<SourceState?> GetSourceStateAsync(string sourceId, CancellationToken cancellationToken);

    /// <summary>
    /// Item key → content hash of every item stored for the source, and of items retention deleted in the last
    /// <see cref="IRetentionStore.TombstoneLifetime"/>: a poll skips the unchanged ones before normalizing them, and a feed
    /// that still carries a deleted item does not bring it back.
    /// </summary>
    Task<IReadOnlyDictionary<string, string>> GetItemHashesAsync(string sourceId, CancellationToken cancellationToken);

    /// <summary>
    /// Saves one poll in one transaction: new and changed items (an unchanged content hash touches nothing), then the
    /// source's state, validators included. All of it or none of it, answered once committed; saves of one source one at a
    /// time (SQLite takes the saves waiting for its writer together, a savepoint each in one transaction, PostgreSQL saves
    /// different sources side by side). An item without a date is dated
    /// by when it was first stored, and keeps that date. The feed's title, link and language, once known, are kept when a
    /// poll tells none.
    /// </summary>
    Task<SaveResult> SavePollAsync(SourceState state, IReadOnlyList<NormalizedItem> items, CancellationToken cancellationToken);

    /// <summary>
    /// Why saves fail for a reason outside the program (a full disk, a read-only file), from the first failed save until
    /// the next one that succeeds; null while saves succeed. Meanwhile each source whose poll was lost shows it on its state.
    /// </summary>
    StoreFault? WriteFault { get; }
}

/// <summary>What a saved poll changed: items stored for the first time, and items whose content changed.</summary>
public sealed record SaveResult(int Added, int Updated);
