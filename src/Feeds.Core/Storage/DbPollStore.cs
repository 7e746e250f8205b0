using System.Data.Common;
using System.Diagnostics;
using Dapper;
using Feeds.Core.Normalization;

namespace Feeds.Core.Storage;

/// <summary>
/// What every <see cref="IPollStore"/> does alike: the reads of a poll (portable SQL over <see cref="DbConnection"/>), and
/// a save that notes a fault of the machine in <see cref="WriteFaults"/> and clears it once a save succeeds. A store
/// writes the poll its own way (<see cref="SavePollAsync"/>).
/// </summary>
internal abstract class DbPollStore(IStoreDatabase database, WriteFaults faults) : IPollStore
{
    public StoreFault? WriteFault => faults.Current;

    public async Task<SourceState?> GetSourceStateAsync(string sourceId, CancellationToken cancellationToken)
    {
        SourceState? state;
        try
        {
            await using var connection = await database.OpenConnectionAsync(cancellationToken);
            var row = await connection.QuerySingleOrDefaultAsync<SourceRow>(new CommandDefinition(
                SourceRow.Select + " WHERE id = @sourceId", new { sourceId }, cancellationToken: cancellationToken));
            state = row?.ToState();
        }
        catch (DbException e) when (faults.Note(database.WriteFaultReason(e), sourceId, url: null))
        {
            throw new UnreachableException();
        }
        return faults.ShowOn(state, sourceId);
    }

    public async Task<IReadOnlyDictionary<string, string>> GetItemHashesAsync(string sourceId, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.OpenConnectionAsync(cancellationToken);
            // Pruned items count as known, so a feed that still carries them does not bring them back.
            var rows = await connection.QueryAsync<(string Key, string Hash)>(new CommandDefinition(
                """
                SELECT item_key, content_hash FROM items WHERE source_id = @sourceId
                UNION ALL
                SELECT p.item_key, p.content_hash FROM pruned_items p
                WHERE p.source_id = @sourceId AND NOT EXISTS (SELECT 1 FROM items i WHERE i.source_id = p.source_id AND i.item_key = p.item_key)
                """, new { sourceId }, cancellationToken: cancellationToken));
            return rows.ToDictionary(r => r.Key, r => r.Hash);
        }
        catch (DbException e) when (faults.Note(database.WriteFaultReason(e), sourceId, url: null))
        {
            throw new UnreachableException();
        }
    }

    public abstract Task<SaveResult> SavePollAsync(SourceState state, IReadOnlyList<NormalizedItem> items, CancellationToken cancellationToken);

    /// <summary>Saves the poll with <paramref name="write"/>, one transaction: a fault of the machine is noted on the store and the source, a success clears it.</summary>
    protected async Task<SaveResult> SaveNotingFaultsAsync(SourceState state, Func<Task<SaveResult>> write)
    {
        try
        {
            var saved = await write();
            NoteSaved(state);
            return saved;
        }
        catch (DbException e) when (NoteLost(state, e))
        {
            // The transaction was rolled back whole: neither the items nor the validators of this poll were saved,
            // so the next poll fetches and saves them again.
            throw new UnreachableException();
        }
    }

    /// <summary>
    /// The stamp of the items a poll adds or edits (<c>last_changed_at</c>): its time, or one millisecond past the last
    /// stamp stored if that is as late. The ping job reads changes in the order of (stamp, id) from the last it saw
    /// (<see cref="IPublishingStore.GetStoriesChangedAfterAsync"/>); an edit of an older row stamped with the millisecond
    /// of that change would sort before it and never be read.
    /// </summary>
    protected static async Task<long> ChangeStampAsync(DbConnection connection, DbTransaction transaction, long now, CancellationToken cancellationToken) =>
        Math.Max(now, await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT coalesce(max(last_changed_at), 0) + 1 FROM items", transaction: transaction, cancellationToken: cancellationToken)));

    /// <summary>The source's poll was committed: a fault noted on it or on the store is over.</summary>
    protected void NoteSaved(SourceState state) => faults.Saved(state.SourceId);

    /// <summary>
    /// The source's poll was not saved because of <paramref name="error"/>: a fault of the machine is noted on the store and
    /// the source. Answers false, so it can filter an exception that goes on.
    /// </summary>
    protected bool NoteLost(SourceState state, DbException error) => faults.Note(database.WriteFaultReason(error), state.SourceId, state.Url);

    /// <summary>Whether a save failed lately: pooled connections may keep what caused it, so the next write goes through fresh ones.</summary>
    protected bool AfterFault => faults.Current is not null;
}
