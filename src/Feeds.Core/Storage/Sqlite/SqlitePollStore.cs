using System.Data.Common;
using System.Text.Encodings.Web;
using System.Text.Json;
using Dapper;
using Feeds.Core.Metrics;
using Feeds.Core.Normalization;
using Microsoft.Data.Sqlite;

namespace Feeds.Core.Storage.Sqlite;

/// <summary>
/// <see cref="IPollStore"/> on SQLite: a poll is an idempotent upsert of its items keyed by (source, item key) after the
/// source's row (as PostgreSQL's, a statement a poll, not an item; one per <see cref="MaxStatementRows"/> rows for a
/// poll of thousands), then the new items placed in their stories and the changed ones' reports followed
/// (<see cref="DbStoryIndex"/>), in the writer's turn. What depends only on the poll (its rows as the upsert's JSON, the
/// source's row, its keys) is made before the turn; only a poll larger than a group makes its JSON in the turn, one
/// upsert at a time. The reads, and the noting of a save's fault, are <see cref="DbPollStore"/>'s.
/// </summary>
/// <remarks>
/// <para>Group commit: the polls that wait for the writer while it is busy are saved by whichever of them takes the next
/// turn, up to <see cref="MaxGroupPolls"/> polls or <see cref="MaxGroupItems"/> items, in one transaction, each in its own
/// savepoint. The writer is the one stage of a cold ingest that cannot use a second core, and a transaction a poll paid a
/// connection's settings, a commit and its WAL sync each time.</para>
/// <para>A poll fails alone: its error rolls its savepoint back and is answered to its own caller (and noted on its own
/// source, if a fault of the machine), while the others go on. A failed commit loses none of the group: each poll is then
/// saved again in a transaction of its own, so each gets the error its own rows cause, or none. Every caller is answered
/// only once the transaction holding its poll has committed. A poll that waited alone is a transaction of its own.</para>
/// </remarks>
internal sealed class SqlitePollStore(SqliteDatabase database, DbStoryIndex stories, WriteFaults faults, TimeProvider clock)
    : DbPollStore(database, faults)
{
    /// <summary>At most this many polls are saved in one transaction.</summary>
    internal const int MaxGroupPolls = 16;

    /// <summary>A group takes no further poll once it holds this many items (a poll larger than this is saved alone).</summary>
    internal const int MaxGroupItems = 2_000;

    /// <summary>
    /// At most this many rows an upsert. A poll of more than <see cref="MaxGroupItems"/> items makes each upsert's JSON in
    /// its turn, one at a time, not all before it: a 10,000-item feed's rows as one JSON string, held while the poll
    /// waited, took bench/hostile's peak from 298 to 355 MB.
    /// </summary>
    internal const int MaxStatementRows = 500;

    // The polls waiting for the writer, oldest first.
    private readonly List<WaitingPoll> _waiting = [];

    public override async Task<SaveResult> SavePollAsync(SourceState state, IReadOnlyList<NormalizedItem> items, CancellationToken cancellationToken)
    {
        var poll = new WaitingPoll(state, items, clock.GetUtcNow().ToUnixTimeMilliseconds());
        lock (_waiting)
            _waiting.Add(poll);
        try
        {
            // Each turn saves the oldest waiting polls: this one, or ones ahead of it, which brings its own turn nearer.
            while (!poll.Saved.IsCompleted)
            {
                using var turn = await database.TakeWriterTurnAsync(cancellationToken);
                if (TakeGroup() is { Count: > 0 } group)
                    await SaveGroupAsync(group);
            }
        }
        catch (OperationCanceledException)
        {
            if (Withdraw(poll))
                throw;
            // Cancelled after the turn ahead took the poll into its group: the poll is being saved, and that group's
            // commit answers it.
        }
        return await poll.Saved;
    }

    /// <summary>How many polls wait for the writer, none of them taken into a group yet.</summary>
    internal int WaitingPolls
    {
        get
        {
            lock (_waiting)
                return _waiting.Count;
        }
    }

    /// <summary>Takes the poll out of the waiting list if no turn took it yet; false when a group holds it.</summary>
    private bool Withdraw(WaitingPoll poll)
    {
        lock (_waiting)
            return _waiting.Remove(poll);
    }

    /// <summary>The oldest waiting polls, up to <see cref="MaxGroupPolls"/> and <see cref="MaxGroupItems"/> (at least one, whatever its size).</summary>
    private List<WaitingPoll> TakeGroup()
    {
        lock (_waiting)
        {
            int count = 0, items = 0;
            while (count < Math.Min(_waiting.Count, MaxGroupPolls) && (count == 0 || items + _waiting[count].ItemCount <= MaxGroupItems))
                items += _waiting[count++].ItemCount;
            var group = _waiting.GetRange(0, count);
            _waiting.RemoveRange(0, count);
            return group;
        }
    }

    /// <summary>Saves the group in one transaction, a savepoint a poll; if that transaction is lost, each poll alone.</summary>
    private async Task SaveGroupAsync(List<WaitingPoll> group)
    {
        if (group.Count == 1)
        {
            await SaveAloneAsync(group[0]);
            return;
        }
        var saved = new List<(WaitingPoll Poll, SaveResult Result)>();
        var refused = new List<(WaitingPoll Poll, Exception Error)>();
        try
        {
            // The group's writes go on whatever one caller's token says: the others' polls are in the same transaction.
            await using var connection = await OpenForWritingAsync();
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
            foreach (var poll in group)
            {
                transaction.Save(PollSavepoint);
                try
                {
                    var result = await WritePollAsync(connection, transaction, poll, CancellationToken.None);
                    transaction.Release(PollSavepoint);
                    saved.Add((poll, result));
                }
                catch (Exception e)
                {
                    // The transaction goes on without this poll; if SQLite already rolled it back whole, this throws and
                    // the group is saved poll by poll below.
                    transaction.Rollback(PollSavepoint);
                    transaction.Release(PollSavepoint);
                    refused.Add((poll, e));
                }
            }
            await transaction.CommitAsync();
            FeedsMetrics.RecordCommit(saved.Count);
        }
        catch (Exception)
        {
            // Nothing of the group was committed. Alone, each poll fails, or not, by its own rows.
            foreach (var poll in group)
                await SaveAloneAsync(poll);
            return;
        }
        foreach (var (poll, error) in refused)
        {
            if (error is DbException e)
                NoteLost(poll.State, e);
            poll.Fail(error);
        }
        foreach (var (poll, result) in saved)
        {
            Committed(poll, result);
            NoteSaved(poll.State);
            poll.Answer(result);
        }
    }

    private const string PollSavepoint = "poll";

    /// <summary>Saves one poll in a transaction of its own, and answers its caller.</summary>
    private async Task SaveAloneAsync(WaitingPoll poll)
    {
        try
        {
            poll.Answer(await SaveNotingFaultsAsync(poll.State, async () =>
            {
                await using var connection = await OpenForWritingAsync();
                await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
                var result = await WritePollAsync(connection, transaction, poll, CancellationToken.None);
                await transaction.CommitAsync();
                FeedsMetrics.RecordCommit(1);
                Committed(poll, result);
                return result;
            }));
        }
        catch (Exception e)
        {
            poll.Fail(e);
        }
    }

    private async Task<SqliteConnection> OpenForWritingAsync()
    {
        // After a fault, pooled connections may hold the file as it was then (opened read-only, say): write through fresh ones.
        if (AfterFault)
            SqliteConnection.ClearAllPools();
        return await database.OpenAsync(CancellationToken.None);
    }

    /// <summary>The poll's transaction committed: readers of the source's items are told.</summary>
    private void Committed(WaitingPoll poll, SaveResult result)
    {
        if (result.Added + result.Updated > 0)
            database.SourceChanged(poll.State.SourceId);
    }

    /// <summary>Writes the poll in <paramref name="transaction"/>: the source's row, its items, the new ones placed in their stories and the changed ones' reports followed, its count.</summary>
    private async Task<SaveResult> WritePollAsync(SqliteConnection connection, SqliteTransaction transaction, WaitingPoll poll, CancellationToken cancellationToken)
    {
        var state = poll.State;
        await connection.ExecuteAsync(new CommandDefinition(SourceRow.Upsert, poll.SourceRow, transaction, cancellationToken: cancellationToken));
        var changedAt = await ChangeStampAsync(connection, transaction, poll.Now, cancellationToken);
        var existing = new HashSet<string>(StringComparer.Ordinal);
        foreach (var keys in poll.KeyChunks)
        {
            existing.UnionWith(await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT item_key FROM items WHERE source_id = @SourceId AND item_key IN @keys",
                new { state.SourceId, keys }, transaction, cancellationToken: cancellationToken)));
        }
        // By id: a key given twice in one feed is stored once, the second write (in the next statement) changing the row
        // the first added, so the item is placed as last written.
        var added = new Dictionary<long, WrittenItem>();
        var changed = new Dictionary<long, WrittenItem>();
        foreach (var statement in poll.Statements)
        {
            var written = await UpsertAsync(connection, transaction, state.SourceId, poll.Now, changedAt, statement.RowsJson ?? RowsJson(statement.Rows), cancellationToken);
            foreach (var (item, _) in statement.Rows)
            {
                if (!written.TryGetValue(item.Key, out var row))
                    continue;
                var writtenItem = new WrittenItem(row.Id, state.SourceId, row.PublishedAt, item);
                if (existing.Contains(item.Key) && !added.ContainsKey(row.Id))
                    changed[row.Id] = writtenItem;
                else
                    added[row.Id] = writtenItem;
                existing.Add(item.Key);
            }
        }
        await stories.PlaceAsync(connection, transaction, [.. added.Values], [.. changed.Values], cancellationToken);
        await DbActivityStore.CountPollAsync(connection, transaction, state, added.Count, DateTimeOffset.FromUnixTimeMilliseconds(poll.Now), cancellationToken);
        return new SaveResult(added.Count, changed.Count);
    }

    /// <summary>
    /// A poll waiting for the writer, with what its save needs made beforehand (none of it needs the turn), and the answer
    /// its caller awaits, given once the transaction holding it has committed.
    /// </summary>
    private sealed class WaitingPoll
    {
        private readonly TaskCompletionSource<SaveResult> _saved = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public WaitingPoll(SourceState state, IReadOnlyList<NormalizedItem> items, long now)
        {
            State = state;
            Now = now;
            ItemCount = items.Count;
            SourceRow = SourceRow.From(state);
            // In chunks: one bound parameter per key would pass SQLite's limit (32,766) with a large feed.
            KeyChunks = items.Select(i => i.Key).Distinct(StringComparer.Ordinal).Chunk(SqliteDatabase.ParameterChunk).ToList();
            var madeNow = items.Count <= MaxGroupItems;
            Statements = Cut(items.Select(item => (item, ItemRow.From(state.SourceId, item, now))))
                .Select(rows => new Statement(rows, madeNow ? RowsJson(rows) : null))
                .ToList();
        }

        public SourceState State { get; }
        public long Now { get; }
        public int ItemCount { get; }
        public SourceRow SourceRow { get; }
        public IReadOnlyList<string[]> KeyChunks { get; }
        public IReadOnlyList<Statement> Statements { get; }
        public Task<SaveResult> Saved => _saved.Task;

        public void Answer(SaveResult result) => _saved.TrySetResult(result);

        public void Fail(Exception error) => _saved.TrySetException(error);
    }

    /// <summary>One upsert of a poll: its rows, and the same rows as the statement's JSON parameter (null: made in the turn).</summary>
    private sealed record Statement(List<(NormalizedItem Item, ItemRow Row)> Rows, string? RowsJson);

    /// <summary>
    /// The poll's items cut into upserts in the order given (insertion order orders items of the same time), none with a key
    /// twice (<see cref="UpsertAsync"/> tells written rows apart by key) and none of more than <see cref="MaxStatementRows"/>
    /// rows. Normalization hands over one item a key, so an ordinary poll is one statement.
    /// </summary>
    private static IEnumerable<List<(NormalizedItem Item, ItemRow Row)>> Cut(IEnumerable<(NormalizedItem Item, ItemRow Row)> rows)
    {
        var statement = new List<(NormalizedItem Item, ItemRow Row)>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (statement.Count == MaxStatementRows || !keys.Add(row.Item.Key))
            {
                yield return statement;
                statement = [];
                keys.Clear();
                keys.Add(row.Item.Key);
            }
            statement.Add(row);
        }
        if (statement.Count > 0)
            yield return statement;
    }

    /// <summary>
    /// One statement for all the rows, passed as one JSON array of arrays: a poll costs one prepare and one parameter
    /// instead of a statement of 22 bound parameters an item (bench/ingest: the writer is the one stage of a cold ingest that
    /// cannot run on both cores). Named parameters would not do: SQLite finds each by a linear search of the statement's
    /// names, so 22 an item over a whole poll costs quadratic time. Gives the id and stored publication time of each row
    /// written, by key; an unchanged item writes none.
    /// </summary>
    private static async Task<Dictionary<string, (long Id, long PublishedAt)>> UpsertAsync(DbConnection connection, DbTransaction transaction,
        string sourceId, long now, long changedAt, string rows, CancellationToken cancellationToken)
    {
        var written = await connection.QueryAsync<(long Id, string Key, long PublishedAt)>(new CommandDefinition(
            UpsertItemsSql, new { SourceId = sourceId, Now = now, Changed = changedAt, rows }, transaction, cancellationToken: cancellationToken));
        return written.ToDictionary(row => row.Key, row => (row.Id, row.PublishedAt), StringComparer.Ordinal);
    }

    /// <summary>The rows of one upsert as its JSON parameter, an array of arrays in the order of the statement's columns.</summary>
    private static string RowsJson(List<(NormalizedItem Item, ItemRow Row)> rows) =>
        JsonSerializer.Serialize(rows.Select(s => new object?[]
        {
            s.Row.ItemKey, s.Row.ContentHash, s.Row.Guid, s.Row.Title, s.Row.Link, s.Row.SummaryHtml, s.Row.SummaryText, s.Row.ContentHtml,
            s.Row.AuthorsJson, s.Row.CategoriesJson, s.Row.EnclosuresJson, s.Row.ImageUrl, s.Row.ReadingMinutes, s.Row.PublishedAt,
            s.Row.DateIsEstimated, s.Row.UpdatedAt, s.Row.LinkKey, s.Row.HeadlineKey,
        }), RowsJsonOptions);

    /// <summary>Only SQLite reads this JSON: HTML's characters need no escaping in it, and unescaped they cost it less to read.</summary>
    private static readonly JsonSerializerOptions RowsJsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // The rows of @rows in the order given (json_each's key is the array index). Touches no row when the item is unchanged
    // (same content hash), and then returns none; else the row's id, key and publication time. An item whose feed gives no date keeps the
    // first-seen time it got on insert. "WHERE true" is SQLite's: an upsert's SELECT needs a WHERE clause (sqlite.org/lang_upsert.html).
    private const string UpsertItemsSql = """
        INSERT INTO items (source_id, item_key, content_hash, guid, title, link, summary_html, summary_text, content_html,
                           authors_json, categories_json, enclosures_json, image_url, reading_minutes,
                           published_at, date_is_estimated, updated_at, first_seen_at, last_changed_at, link_key, headline_key)
        SELECT @SourceId, r.value ->> 0, r.value ->> 1, r.value ->> 2, r.value ->> 3, r.value ->> 4, r.value ->> 5, r.value ->> 6,
               r.value ->> 7, r.value ->> 8, r.value ->> 9, r.value ->> 10, r.value ->> 11, r.value ->> 12, r.value ->> 13,
               r.value ->> 14, r.value ->> 15, @Now, @Changed, r.value ->> 16, r.value ->> 17
        FROM json_each(@rows) r
        WHERE true
        ORDER BY r.key
        ON CONFLICT (source_id, item_key) DO UPDATE SET
            content_hash = excluded.content_hash, guid = excluded.guid, title = excluded.title, link = excluded.link,
            summary_html = excluded.summary_html, summary_text = excluded.summary_text, content_html = excluded.content_html,
            authors_json = excluded.authors_json, categories_json = excluded.categories_json,
            enclosures_json = excluded.enclosures_json, image_url = excluded.image_url, reading_minutes = excluded.reading_minutes,
            published_at = CASE WHEN excluded.date_is_estimated = 1 AND items.date_is_estimated = 1 THEN items.published_at ELSE excluded.published_at END,
            date_is_estimated = excluded.date_is_estimated AND items.date_is_estimated,
            updated_at = excluded.updated_at, last_changed_at = excluded.last_changed_at,
            link_key = excluded.link_key, headline_key = excluded.headline_key
        WHERE items.content_hash <> excluded.content_hash
        RETURNING id, item_key, published_at
        """;
}
