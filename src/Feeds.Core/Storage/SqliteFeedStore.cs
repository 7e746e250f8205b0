using System.Collections.Concurrent;
using System.Data;
using System.Diagnostics;
using System.Text.Json;
using Dapper;
using Feeds.Core.Fetching;
using Feeds.Core.Normalization;
using Feeds.Core.Sources;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Feeds.Core.Storage;

/// <summary>
/// The embedded store: one SQLite file in WAL mode, many readers and a single writer. Times are
/// stored as INTEGER unix milliseconds (Dapper's DateTimeOffset mapping writes local-offset text
/// that sorts wrong and reads back with an InvalidCastException).
/// </summary>
/// <remarks>
/// Readers never wait for the writer: in WAL mode each query reads the last committed snapshot, and a poll is
/// one transaction, so a reader sees all of a poll or none of it. When a write fails for a reason outside the
/// program (a full disk, a read-only file), the store says so (<see cref="WriteFault"/>, one log line, the
/// source's state) and keeps serving what it has; the next poll that saves clears it.
/// </remarks>
public sealed partial class SqliteFeedStore : IFeedStore, IDisposable
{
    /// <summary>How long a pruned item's tombstone stops a feed that still carries it from storing it again.</summary>
    public static readonly TimeSpan TombstoneLifetime = TimeSpan.FromDays(180);

    private readonly string _connectionString;
    private readonly string _pragmas;
    private readonly TimeProvider _clock;
    private readonly ILogger<SqliteFeedStore> _logger;
    // One ingest writer at a time: SQLite allows one anyway, and queuing here avoids busy retries.
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly ConcurrentDictionary<string, long> _sourceVersions = new();
    // Polls that could not be saved, by source, until one of that source saves: shown on its state.
    private readonly ConcurrentDictionary<string, UnsavedPoll> _unsavedPolls = new();
    private StoreFault? _writeFault;

    public SqliteFeedStore(string databasePath, TimeProvider clock, ILogger<SqliteFeedStore>? logger = null,
        CommitDurability durability = CommitDurability.Full)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(databasePath));
        if (!string.IsNullOrEmpty(folder))
            Directory.CreateDirectory(folder);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = true }.ToString();
        _pragmas = $"""
            PRAGMA busy_timeout = 5000;
            PRAGMA foreign_keys = ON;
            PRAGMA synchronous = {(durability == CommitDurability.Full ? "FULL" : "NORMAL")};
            PRAGMA journal_size_limit = {WalSizeLimit};
            """;
        _clock = clock;
        _logger = logger ?? NullLogger<SqliteFeedStore>.Instance;
        DatabasePath = Path.GetFullPath(databasePath);
    }

    /// <summary>
    /// The size the WAL file is cut back to after a checkpoint. It grows past this only while readers keep a
    /// checkpoint from finishing; without a limit it would keep its largest size for ever.
    /// </summary>
    private const long WalSizeLimit = 64L * 1024 * 1024;

    public string DatabasePath { get; }

    public StoreFault? WriteFault => Volatile.Read(ref _writeFault);

    /// <summary>Checks that the file is a healthy Feeds database (or new), then creates or upgrades the schema.</summary>
    /// <exception cref="DatabaseRefusedException">The file is not SQLite, is damaged, belongs to another program or to a newer Feeds.</exception>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await CheckIsFeedsDatabaseAsync(connection, cancellationToken);
        // Pages freed by a prune go back to the file system (PRAGMA incremental_vacuum). SQLite takes this only
        // before the first table is created, so a new database gets it; an older one keeps it off until a VACUUM.
        if (await connection.ExecuteScalarAsync<long>("PRAGMA user_version;") == 0)
            await connection.ExecuteAsync("PRAGMA auto_vacuum = INCREMENTAL;");
        await connection.ExecuteAsync("PRAGMA journal_mode = WAL;");
        await SqliteMigrations.ApplyAsync(connection, cancellationToken);
    }

    /// <summary>
    /// Refuses, before writing anything, a file that is not ours: migrating another program's database would add
    /// our tables to it, and a damaged one would fail later, one query at a time.
    /// </summary>
    private async Task CheckIsFeedsDatabaseAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        string integrity;
        long version;
        List<string> tables;
        try
        {
            // quick_check reads every page but not every index entry: O(size), measured in the README.
            integrity = string.Join("; ", await connection.QueryAsync<string>(new CommandDefinition("PRAGMA quick_check(3);", cancellationToken: cancellationToken)));
            version = await connection.ExecuteScalarAsync<long>(new CommandDefinition("PRAGMA user_version;", cancellationToken: cancellationToken));
            tables = (await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name", cancellationToken: cancellationToken))).ToList();
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteNotADatabase)
        {
            throw new DatabaseRefusedException(DatabasePath,
                $"it is not an SQLite database ({e.Message}); move it aside or pass another file with --db", e);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteCorrupt)
        {
            throw new DatabaseRefusedException(DatabasePath,
                $"it is damaged ({e.Message}); restore a copy made with 'feeds backup', or move it aside to start afresh", e);
        }
        var latest = SqliteMigrations.Latest;
        if (integrity != "ok")
            throw new DatabaseRefusedException(DatabasePath,
                $"it is damaged (PRAGMA quick_check: {integrity}); restore a copy made with 'feeds backup', or move it aside to start afresh");
        if (version > latest)
            throw new DatabaseRefusedException(DatabasePath,
                $"it was written by a newer Feeds (schema version {version}; this build knows up to {latest}); run the newer build or restore a backup");
        if (version == 0 && tables.Count > 0)
            throw new DatabaseRefusedException(DatabasePath,
                $"it is an SQLite database of another program (tables: {string.Join(", ", tables)}) with no Feeds schema version; pass a new file with --db");
        if (version > 0 && !(tables.Contains("sources") && tables.Contains("items")))
            throw new DatabaseRefusedException(DatabasePath,
                $"it has schema version {version} but not the Feeds tables sources and items (tables: {string.Join(", ", tables)}); it belongs to another program");
    }

    public async Task<SourceState?> GetSourceStateAsync(string sourceId, CancellationToken cancellationToken)
    {
        SourceState? state;
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            var row = await connection.QuerySingleOrDefaultAsync<SourceRow>(new CommandDefinition(
                SourceRow.Select + " WHERE id = @sourceId", new { sourceId }, cancellationToken: cancellationToken));
            state = row?.ToState();
        }
        catch (SqliteException e) when (NoteFault(e, sourceId, url: null))
        {
            throw new UnreachableException();
        }
        return _unsavedPolls.TryGetValue(sourceId, out var unsaved) ? unsaved.ShowOn(state, sourceId) : state;
    }

    public async Task<IReadOnlyList<SourceState>> GetSourceStatesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<SourceRow>(new CommandDefinition(SourceRow.Select + " ORDER BY id", cancellationToken: cancellationToken));
        var states = rows.Select(r => r.ToState()).ToDictionary(s => s.SourceId, StringComparer.Ordinal);
        foreach (var (sourceId, unsaved) in _unsavedPolls)
            states[sourceId] = unsaved.ShowOn(states.GetValueOrDefault(sourceId), sourceId);
        return states.Values.OrderBy(s => s.SourceId, StringComparer.Ordinal).ToList();
    }

    public async Task<IReadOnlyDictionary<string, string>> GetItemHashesAsync(string sourceId, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
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
        catch (SqliteException e) when (NoteFault(e, sourceId, url: null))
        {
            throw new UnreachableException();
        }
    }

    public async Task<SaveResult> SavePollAsync(SourceState state, IReadOnlyList<NormalizedItem> items, CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken);
        try
        {
            var saved = await WritePollAsync(state, items, cancellationToken);
            _unsavedPolls.TryRemove(state.SourceId, out _);
            if (Interlocked.Exchange(ref _writeFault, null) is { } fault)
                LogWritable(DatabasePath, _clock.GetUtcNow() - fault.Since);
            return saved;
        }
        catch (SqliteException e) when (NoteFault(e, state.SourceId, state.Url))
        {
            // The transaction was rolled back whole: neither the items nor the validators of this poll were saved,
            // so the next poll fetches and saves them again.
            throw new UnreachableException();
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>
    /// An exception filter that notes a fault of the machine on the store and on the source whose poll it stopped, then lets
    /// the exception go on (it answers false). A full disk can fail the reads of a poll too, so those note it as well.
    /// </summary>
    private bool NoteFault(SqliteException e, string sourceId, string? url)
    {
        if (WriteFaultReason(e) is not { } reason)
            return false;
        var now = _clock.GetUtcNow();
        _unsavedPolls[sourceId] = new UnsavedPoll(url, now, reason);
        if (Interlocked.CompareExchange(ref _writeFault, new StoreFault(reason, now), null) is null)
            LogNotWritable(DatabasePath, reason);
        return false;
    }

    /// <summary>Faults of the machine rather than of the program, which go away when an operator frees space or remounts.</summary>
    private static string? WriteFaultReason(SqliteException e) => e.SqliteErrorCode switch
    {
        SqliteFull => $"the disk is full ({e.Message})",
        SqliteReadOnly => $"the database is read-only ({e.Message})",
        SqliteIoError => $"an I/O error ({e.Message})",
        SqliteCantOpen => $"the database file cannot be opened ({e.Message})",
        _ => null,
    };

    private async Task<SaveResult> WritePollAsync(SourceState state, IReadOnlyList<NormalizedItem> items, CancellationToken cancellationToken)
    {
        // After a fault, pooled connections may hold the file as it was then (opened read-only, say): write through fresh ones.
        if (WriteFault is not null)
            SqliteConnection.ClearAllPools();
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(UpsertSourceSql, SourceRow.From(state), transaction, cancellationToken: cancellationToken));
        var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        var existing = new HashSet<string>(StringComparer.Ordinal);
        // In chunks: one bound parameter per key would pass SQLite's limit (32,766) with a large feed.
        foreach (var keys in items.Select(i => i.Key).Distinct(StringComparer.Ordinal).Chunk(ParameterChunk))
        {
            existing.UnionWith(await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT item_key FROM items WHERE source_id = @SourceId AND item_key IN @keys",
                new { state.SourceId, keys }, transaction, cancellationToken: cancellationToken)));
        }
        int added = 0, updated = 0;
        foreach (var item in items)
        {
            var changed = await connection.ExecuteAsync(new CommandDefinition(
                UpsertItemSql, ItemParameters(state.SourceId, item, now), transaction, cancellationToken: cancellationToken));
            if (changed == 0)
                continue;
            if (existing.Contains(item.Key))
                updated++;
            else
                added++;
        }
        await transaction.CommitAsync(cancellationToken);
        if (added + updated > 0)
            _sourceVersions.AddOrUpdate(state.SourceId, 1, (_, version) => version + 1);
        return new SaveResult(added, updated);
    }

    public async Task<IReadOnlyList<StoredItem>> GetItemsAsync(IReadOnlyCollection<string> sourceIds, ItemCursor cursor, int limit, CancellationToken cancellationToken)
    {
        // Keyset paging on (published_at, id): stable however many items arrive meanwhile.
        var (where, order) = cursor.Direction == PageDirection.Older
            ? ("(i.published_at < @PublishedMs OR (i.published_at = @PublishedMs AND i.id < @Id))", "i.published_at DESC, i.id DESC")
            : ("(i.published_at > @PublishedMs OR (i.published_at = @PublishedMs AND i.id > @Id))", "i.published_at ASC, i.id ASC");
        await using var connection = await OpenAsync(cancellationToken);
        // A section may have any number of sources: their ids go in as one JSON array, not one parameter each.
        var rows = await connection.QueryAsync<ItemRow>(new CommandDefinition(
            $"{ItemRow.Select} WHERE i.source_id IN (SELECT value FROM json_each(@sourceIds)) AND {where} ORDER BY {order} LIMIT @limit",
            new { sourceIds = JsonArray(sourceIds), cursor.PublishedMs, cursor.Id, limit }, cancellationToken: cancellationToken));
        var now = _clock.GetUtcNow();
        var items = rows.Select(r => r.ToItem(now));
        return (cursor.Direction == PageDirection.Older ? items : items.Reverse()).ToList();
    }

    public async Task<IReadOnlyList<StoredItem>> GetStoryMatchesAsync(IReadOnlyCollection<string> sourceIds, IReadOnlyCollection<string> linkKeys,
        IReadOnlyCollection<string> headlineKeys, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        if (linkKeys.Count == 0 && headlineKeys.Count == 0)
            return [];
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<ItemRow>(new CommandDefinition(
            $"""
            {ItemRow.Select}
            WHERE i.source_id IN (SELECT value FROM json_each(@sourceIds))
              AND (i.link_key IN (SELECT value FROM json_each(@linkKeys))
                   OR (i.headline_key IN (SELECT value FROM json_each(@headlineKeys)) AND i.published_at BETWEEN @from AND @to))
            ORDER BY i.published_at ASC, i.id ASC
            """,
            new
            {
                sourceIds = JsonArray(sourceIds), linkKeys = JsonArray(linkKeys), headlineKeys = JsonArray(headlineKeys),
                from = from.ToUnixTimeMilliseconds(), to = to.ToUnixTimeMilliseconds(),
            },
            cancellationToken: cancellationToken));
        var now = _clock.GetUtcNow();
        return rows.Select(r => r.ToItem(now)).ToList();
    }

    public async Task<IReadOnlyDictionary<string, ItemStatistics>> GetItemStatisticsAsync(CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        await using var connection = await OpenAsync(cancellationToken);
        // Dates outside the window count as their first-seen time, as StoredItemGuard shows them.
        var rows = await connection.QueryAsync<(string SourceId, long Count, long Oldest, long Newest, long LastNew)>(new CommandDefinition(
            """
            SELECT source_id, count(*),
                   min(CASE WHEN published_at BETWEEN @earliest AND @latest THEN published_at ELSE first_seen_at END),
                   max(CASE WHEN published_at BETWEEN @earliest AND @latest THEN published_at ELSE first_seen_at END),
                   max(first_seen_at)
            FROM items GROUP BY source_id
            """,
            new { earliest = StoredItemGuard.EarliestDate.ToUnixTimeMilliseconds(), latest = (now + StoredItemGuard.LatestAhead).ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.SourceId, r => new ItemStatistics(r.Count,
            StoredItemGuard.Time(r.Oldest, now), StoredItemGuard.Time(r.Newest, now), StoredItemGuard.Time(r.LastNew, now)));
    }

    public long GetSourceVersion(string sourceId) => _sourceVersions.GetValueOrDefault(sourceId);

    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT count(*) FROM sources", cancellationToken: cancellationToken)) >= 0;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    /// <summary>
    /// Deletes each source's items beyond its retention — published before its age limit, or older than its newest
    /// <see cref="RetentionSettings.MaxItems"/> — except the ones <paramref name="shownIds"/> names, in one transaction,
    /// then returns the freed pages to the file system. A pruned item leaves a tombstone (key and content hash), so a
    /// feed that still carries it does not bring it back (see <see cref="GetItemHashesAsync"/>).
    /// </summary>
    /// <param name="retentionOf">The retention of a source id (sources no longer configured included).</param>
    /// <param name="shownIds">
    /// The ids of the items that sections' first pages show. Asked inside the writer lock, so no poll can change a
    /// first page between the answer and the delete.
    /// </param>
    public async Task<PruneResult> PruneAsync(Func<string, RetentionSettings> retentionOf,
        Func<CancellationToken, Task<IReadOnlySet<long>>> shownIds, CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken);
        try
        {
            var shown = await shownIds(cancellationToken);
            var now = _clock.GetUtcNow();
            var removed = new Dictionary<string, int>();
            var spared = 0;
            await using var connection = await OpenAsync(cancellationToken);
            await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
            {
                var sourceIds = await connection.QueryAsync<string>(new CommandDefinition(
                    "SELECT DISTINCT source_id FROM items", transaction: transaction, cancellationToken: cancellationToken));
                foreach (var sourceId in sourceIds.ToList())
                {
                    var retention = retentionOf(sourceId);
                    var expired = (await connection.QueryAsync<long>(new CommandDefinition(ExpiredItemsSql, new
                    {
                        sourceId,
                        // No limit is a bound nothing crosses.
                        before = retention.MaxAge is { } age ? (now - age).ToUnixTimeMilliseconds() : long.MinValue,
                        newest = retention.MaxItems ?? long.MaxValue,
                    }, transaction, cancellationToken: cancellationToken))).ToList();
                    var doomed = expired.Where(id => !shown.Contains(id)).ToList();
                    spared += expired.Count - doomed.Count;
                    // Chunks keep each statement well under SQLite's limit of bound parameters.
                    foreach (var ids in doomed.Chunk(ParameterChunk))
                    {
                        await connection.ExecuteAsync(new CommandDefinition(TombstoneSql, new { ids, now = now.ToUnixTimeMilliseconds() }, transaction, cancellationToken: cancellationToken));
                        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM items WHERE id IN @ids", new { ids }, transaction, cancellationToken: cancellationToken));
                    }
                    if (doomed.Count > 0)
                        removed[sourceId] = doomed.Count;
                }
                await connection.ExecuteAsync(new CommandDefinition("DELETE FROM pruned_items WHERE pruned_at < @forgetBefore",
                    new { forgetBefore = (now - TombstoneLifetime).ToUnixTimeMilliseconds() }, transaction, cancellationToken: cancellationToken));
                await transaction.CommitAsync(cancellationToken);
            }
            foreach (var sourceId in removed.Keys)
                _sourceVersions.AddOrUpdate(sourceId, 1, (_, version) => version + 1);
            // Needs auto_vacuum = INCREMENTAL (set on a new database); a no-op otherwise.
            await connection.ExecuteAsync(new CommandDefinition("PRAGMA incremental_vacuum;", cancellationToken: cancellationToken));
            return new PruneResult(removed, spared);
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>
    /// Writes a consistent copy of the database to <paramref name="destinationPath"/> with SQLite's online backup,
    /// safe while the service reads and writes; the copy is checked and only then moved into place.
    /// </summary>
    /// <returns>The copy's <c>PRAGMA integrity_check</c> answer ("ok") and its item count.</returns>
    public async Task<(string Integrity, long Items)> BackupAsync(string destinationPath, CancellationToken cancellationToken)
    {
        var temporary = destinationPath + ".partial";
        File.Delete(temporary);
        await using (var source = await OpenAsync(cancellationToken))
        await using (var destination = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = temporary, Pooling = false }.ToString()))
        {
            await destination.OpenAsync(cancellationToken);
            source.BackupDatabase(destination);
        }
        string integrity;
        long items;
        await using (var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = temporary, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString()))
        {
            await copy.OpenAsync(cancellationToken);
            integrity = await copy.ExecuteScalarAsync<string>("PRAGMA integrity_check;") ?? "no answer";
            items = await copy.ExecuteScalarAsync<long>("SELECT count(*) FROM items;");
        }
        if (integrity != "ok")
            throw new InvalidOperationException($"the backup copy failed its integrity check ({integrity}); {destinationPath} was not written");
        File.Move(temporary, destinationPath, overwrite: true);
        return (integrity, items);
    }

    public void Dispose() => _writer.Dispose();

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        // Per-connection settings: they do not persist in the file.
        await connection.ExecuteAsync(_pragmas);
        return connection;
    }

    // Older than the age limit, or past the newest @newest of the source (newest by date, then insertion order).
    private const string ExpiredItemsSql = """
        SELECT id FROM items WHERE source_id = @sourceId AND published_at < @before
        UNION
        SELECT id FROM (SELECT id FROM items WHERE source_id = @sourceId ORDER BY published_at DESC, id DESC LIMIT -1 OFFSET @newest)
        """;

    private const string TombstoneSql = """
        INSERT OR REPLACE INTO pruned_items (source_id, item_key, content_hash, pruned_at)
        SELECT source_id, item_key, content_hash, @now FROM items WHERE id IN @ids
        """;

    // SQLite result codes (https://sqlite.org/rescode.html).
    private const int SqliteReadOnly = 8;
    private const int SqliteIoError = 10;
    private const int SqliteCorrupt = 11;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;
    private const int SqliteNotADatabase = 26;

    /// <summary>A poll whose save failed: shown on the source's state, over what is stored, until the source saves again.</summary>
    private sealed record UnsavedPoll(string? Url, DateTimeOffset At, string Reason)
    {
        // Only what is shown changes: the stored validators, schedule and failure counts still decide the next poll.
        public SourceState ShowOn(SourceState? stored, string sourceId) => (stored ?? new SourceState { SourceId = sourceId, Url = Url ?? "" }) with
        {
            LastAttemptAt = At,
            LastOutcome = PollOutcome.Failed,
            LastErrorCategory = "Storage",
            LastError = $"the poll could not be saved: {Reason}",
        };
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot write the database {DatabasePath}: {Reason}. Serving what is stored; polls are redone and saved once it can write again")]
    private partial void LogNotWritable(string databasePath, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database {DatabasePath} is writable again after {Downtime}")]
    private partial void LogWritable(string databasePath, TimeSpan downtime);

    private const string UpsertSourceSql = """
        INSERT INTO sources (id, url, etag, last_modified, last_attempt_at, last_success_at, last_outcome, last_error,
                             last_error_category, last_http_status, consecutive_failures, next_due_at, retry_not_before, feed_title, feed_link,
                             moved_to, redirect_candidate, gone_since, backoff_level, poll_interval_ms, feed_min_interval_ms,
                             rhythm_since, rhythm_items, feed_language, items_left_out)
        VALUES (@Id, @Url, @ETag, @LastModified, @LastAttemptAt, @LastSuccessAt, @LastOutcome, @LastError,
                @LastErrorCategory, @LastHttpStatus, @ConsecutiveFailures, @NextDueAt, @RetryNotBefore, @FeedTitle, @FeedLink,
                @MovedTo, @RedirectCandidate, @GoneSince, @BackoffLevel, @PollIntervalMs, @FeedMinIntervalMs,
                @RhythmSince, @RhythmItems, @FeedLanguage, @ItemsLeftOut)
        ON CONFLICT (id) DO UPDATE SET
            url = excluded.url, etag = excluded.etag, last_modified = excluded.last_modified,
            last_attempt_at = excluded.last_attempt_at, last_success_at = excluded.last_success_at,
            last_outcome = excluded.last_outcome, last_error = excluded.last_error,
            last_error_category = excluded.last_error_category, last_http_status = excluded.last_http_status,
            consecutive_failures = excluded.consecutive_failures, next_due_at = excluded.next_due_at,
            retry_not_before = excluded.retry_not_before,
            moved_to = excluded.moved_to, redirect_candidate = excluded.redirect_candidate, gone_since = excluded.gone_since,
            backoff_level = excluded.backoff_level, poll_interval_ms = excluded.poll_interval_ms,
            feed_min_interval_ms = excluded.feed_min_interval_ms, rhythm_since = excluded.rhythm_since, rhythm_items = excluded.rhythm_items,
            items_left_out = excluded.items_left_out,
            feed_title = coalesce(excluded.feed_title, sources.feed_title), feed_link = coalesce(excluded.feed_link, sources.feed_link),
            feed_language = coalesce(excluded.feed_language, sources.feed_language)
        """;

    // Touches no row when the item is unchanged (same content hash). An item whose feed gives no date
    // keeps the first-seen time it got on insert.
    private const string UpsertItemSql = """
        INSERT INTO items (source_id, item_key, content_hash, guid, title, link, summary_html, summary_text, content_html,
                           authors_json, categories_json, enclosures_json, image_url, reading_minutes,
                           published_at, date_is_estimated, updated_at, first_seen_at, last_changed_at, link_key, headline_key)
        VALUES (@SourceId, @ItemKey, @ContentHash, @Guid, @Title, @Link, @SummaryHtml, @SummaryText, @ContentHtml,
                @AuthorsJson, @CategoriesJson, @EnclosuresJson, @ImageUrl, @ReadingMinutes,
                @PublishedAt, @DateIsEstimated, @UpdatedAt, @Now, @Now, @LinkKey, @HeadlineKey)
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
        """;

    private static object ItemParameters(string sourceId, NormalizedItem item, long now) => new
    {
        SourceId = sourceId,
        ItemKey = item.Key,
        item.ContentHash,
        Guid = item.Id,
        Title = item.Title ?? item.SummaryText ?? item.Link ?? "Untitled",
        item.LinkKey,
        item.HeadlineKey,
        item.Link,
        SummaryHtml = item.Summary,
        item.SummaryText,
        ContentHtml = item.Content,
        AuthorsJson = JsonSerializer.Serialize(item.Authors),
        CategoriesJson = JsonSerializer.Serialize(item.Categories),
        EnclosuresJson = JsonSerializer.Serialize(item.Enclosures),
        ImageUrl = item.Image,
        item.ReadingMinutes,
        PublishedAt = item.Published?.ToUnixTimeMilliseconds() ?? item.Updated?.ToUnixTimeMilliseconds() ?? now,
        DateIsEstimated = item.Published is null && item.Updated is null,
        UpdatedAt = item.Updated?.ToUnixTimeMilliseconds() ?? item.Published?.ToUnixTimeMilliseconds() ?? now,
        Now = now,
    };

    /// <summary>A stored time; one beyond what DateTimeOffset holds (a row edited by hand) is read as the nearest it can.</summary>
    private static DateTimeOffset? FromMs(long? ms) => ms is { } value
        ? DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(value, DateTimeOffset.MinValue.ToUnixTimeMilliseconds(), DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()))
        : null;

    /// <summary>
    /// Values for <c>IN (SELECT value FROM json_each(@list))</c>: one parameter however long the list, where Dapper's
    /// <c>IN @list</c> binds one per value and fails past SQLite's limit of 32,766.
    /// </summary>
    private static string JsonArray(IEnumerable<string> values) => JsonSerializer.Serialize(values);

    /// <summary>Values bound per statement where a list is cut in chunks: well under SQLite's limit of bound parameters.</summary>
    private const int ParameterChunk = 500;

    private static long? ToMs(DateTimeOffset? time) => time?.ToUnixTimeMilliseconds();

    private sealed record SourceRow
    {
        public const string Select = """
            SELECT id AS Id, url AS Url, etag AS ETag, last_modified AS LastModified, last_attempt_at AS LastAttemptAt,
                   last_success_at AS LastSuccessAt, last_outcome AS LastOutcome, last_error AS LastError,
                   last_error_category AS LastErrorCategory, last_http_status AS LastHttpStatus,
                   consecutive_failures AS ConsecutiveFailures, next_due_at AS NextDueAt, retry_not_before AS RetryNotBefore,
                   feed_title AS FeedTitle, feed_link AS FeedLink, moved_to AS MovedTo, redirect_candidate AS RedirectCandidate,
                   gone_since AS GoneSince, backoff_level AS BackoffLevel, poll_interval_ms AS PollIntervalMs,
                   feed_min_interval_ms AS FeedMinIntervalMs, rhythm_since AS RhythmSince, rhythm_items AS RhythmItems, items_left_out AS ItemsLeftOut,
                   feed_language AS FeedLanguage
            FROM sources
            """;

        public string Id { get; init; } = "";
        public string Url { get; init; } = "";
        public string? ETag { get; init; }
        public string? LastModified { get; init; }
        public long? LastAttemptAt { get; init; }
        public long? LastSuccessAt { get; init; }
        public string? LastOutcome { get; init; }
        public string? LastError { get; init; }
        public string? LastErrorCategory { get; init; }
        public long? LastHttpStatus { get; init; }
        public long ConsecutiveFailures { get; init; }
        public long? NextDueAt { get; init; }
        public long? RetryNotBefore { get; init; }
        public string? FeedTitle { get; init; }
        public string? FeedLink { get; init; }
        public string? FeedLanguage { get; init; }
        public string? MovedTo { get; init; }
        public string? RedirectCandidate { get; init; }
        public long? GoneSince { get; init; }
        public long BackoffLevel { get; init; }
        public long? PollIntervalMs { get; init; }
        public long? FeedMinIntervalMs { get; init; }
        public long? RhythmSince { get; init; }
        public long? RhythmItems { get; init; }
        public long ItemsLeftOut { get; init; }

        public static SourceRow From(SourceState state) => new()
        {
            Id = state.SourceId,
            Url = state.Url,
            ETag = state.Validators.ETag,
            LastModified = state.Validators.LastModified,
            LastAttemptAt = ToMs(state.LastAttemptAt),
            LastSuccessAt = ToMs(state.LastSuccessAt),
            LastOutcome = state.LastOutcome?.ToString(),
            LastError = state.LastError,
            LastErrorCategory = state.LastErrorCategory,
            LastHttpStatus = state.LastHttpStatus,
            ConsecutiveFailures = state.ConsecutiveFailures,
            NextDueAt = ToMs(state.NextDueAt),
            RetryNotBefore = ToMs(state.RetryNotBefore),
            FeedTitle = state.FeedTitle,
            FeedLink = state.FeedLink,
            FeedLanguage = state.FeedLanguage,
            MovedTo = state.MovedTo,
            RedirectCandidate = state.RedirectCandidate,
            GoneSince = ToMs(state.GoneSince),
            BackoffLevel = state.BackoffLevel,
            PollIntervalMs = (long?)state.PollInterval?.TotalMilliseconds,
            FeedMinIntervalMs = (long?)state.FeedMinInterval?.TotalMilliseconds,
            RhythmSince = ToMs(state.Rhythm?.Oldest),
            RhythmItems = state.Rhythm?.Items,
            ItemsLeftOut = state.ItemsLeftOut,
        };

        public SourceState ToState() => new()
        {
            SourceId = Id,
            Url = Url,
            Validators = new Validators(ETag, LastModified),
            LastAttemptAt = FromMs(LastAttemptAt),
            LastSuccessAt = FromMs(LastSuccessAt),
            LastOutcome = Enum.TryParse<PollOutcome>(LastOutcome, out var outcome) ? outcome : null,
            LastError = LastError,
            LastErrorCategory = LastErrorCategory,
            LastHttpStatus = (int?)LastHttpStatus,
            ConsecutiveFailures = (int)ConsecutiveFailures,
            NextDueAt = FromMs(NextDueAt),
            RetryNotBefore = FromMs(RetryNotBefore),
            FeedTitle = FeedTitle,
            FeedLink = FeedLink,
            FeedLanguage = FeedLanguage,
            MovedTo = MovedTo,
            RedirectCandidate = RedirectCandidate,
            GoneSince = FromMs(GoneSince),
            BackoffLevel = (int)BackoffLevel,
            PollInterval = PollIntervalMs is { } interval ? TimeSpan.FromMilliseconds(interval) : null,
            FeedMinInterval = FeedMinIntervalMs is { } minimum ? TimeSpan.FromMilliseconds(minimum) : null,
            Rhythm = (RhythmSince, RhythmItems) is ({ } since, { } items) ? new ItemRhythm(DateTimeOffset.FromUnixTimeMilliseconds(since), (int)items) : null,
            ItemsLeftOut = (int)ItemsLeftOut,
        };
    }

    /// <summary>An items row as SQLite holds it; every text column may be anything, so <see cref="ToItem"/> reads it through <see cref="StoredItemGuard"/>.</summary>
    private sealed record ItemRow
    {
        public const string Select = """
            SELECT i.id AS Id, i.source_id AS SourceId, i.item_key AS ItemKey, i.guid AS Guid, i.title AS Title, i.link AS Link,
                   i.summary_html AS SummaryHtml, i.summary_text AS SummaryText, i.content_html AS ContentHtml,
                   i.authors_json AS AuthorsJson, i.categories_json AS CategoriesJson, i.enclosures_json AS EnclosuresJson,
                   i.image_url AS ImageUrl, i.reading_minutes AS ReadingMinutes, i.published_at AS PublishedAt,
                   i.date_is_estimated AS DateIsEstimated, i.updated_at AS UpdatedAt, i.first_seen_at AS FirstSeenAt,
                   i.link_key AS LinkKey, i.headline_key AS HeadlineKey,
                   s.feed_title AS SourceTitle, s.feed_link AS SourceLink, s.feed_language AS SourceLanguage, s.url AS SourceUrl
            FROM items i JOIN sources s ON s.id = i.source_id
            """;

        public long Id { get; init; }
        public string? SourceId { get; init; }
        public string? ItemKey { get; init; }
        public string? Guid { get; init; }
        public string? Title { get; init; }
        public string? Link { get; init; }
        public string? SummaryHtml { get; init; }
        public string? SummaryText { get; init; }
        public string? ContentHtml { get; init; }
        public string? AuthorsJson { get; init; }
        public string? CategoriesJson { get; init; }
        public string? EnclosuresJson { get; init; }
        public string? ImageUrl { get; init; }
        public long ReadingMinutes { get; init; }
        public long PublishedAt { get; init; }
        public long DateIsEstimated { get; init; }
        public long UpdatedAt { get; init; }
        public long FirstSeenAt { get; init; }
        public string? LinkKey { get; init; }
        public string? HeadlineKey { get; init; }
        public string? SourceTitle { get; init; }
        public string? SourceLink { get; init; }
        public string? SourceLanguage { get; init; }
        public string? SourceUrl { get; init; }

        public StoredItem ToItem(DateTimeOffset now)
        {
            var (published, estimated) = StoredItemGuard.Published(PublishedAt, FirstSeenAt, now);
            var link = SafeText.HttpUrl(Link);
            var teaser = StoredItemGuard.Line(SummaryText, StoredItemGuard.MaxTeaserLength);
            return new StoredItem
            {
                Id = Id,
                SourceId = StoredItemGuard.Clean(SourceId) ?? "",
                // Hashed into ids, never shown: kept as stored, so an item keeps its id in every reader.
                ItemKey = ItemKey ?? "",
                Guid = StoredItemGuard.Clean(Guid),
                Title = StoredItemGuard.Title(Title, teaser, link),
                Link = link,
                SummaryHtml = StoredItemGuard.Clean(SummaryHtml),
                SummaryText = teaser,
                ContentHtml = StoredItemGuard.Clean(ContentHtml),
                Authors = StoredItemGuard.Authors(AuthorsJson),
                Categories = StoredItemGuard.Categories(CategoriesJson),
                Enclosures = StoredItemGuard.Enclosures(EnclosuresJson),
                ImageUrl = SafeText.HttpUrl(ImageUrl),
                ReadingMinutes = StoredItemGuard.ReadingMinutes(ReadingMinutes),
                PublishedAt = published,
                StoredPublishedMs = PublishedAt,
                DateIsEstimated = estimated || DateIsEstimated != 0,
                UpdatedAt = StoredItemGuard.InWindow(UpdatedAt, now) ? DateTimeOffset.FromUnixTimeMilliseconds(UpdatedAt) : published,
                LinkKey = LinkKey,
                HeadlineKey = HeadlineKey,
                SourceTitle = StoredItemGuard.PlainLine(SourceTitle, SafeText.MaxLineLength),
                SourceLink = SafeText.HttpUrl(SourceLink),
                SourceLanguage = StoredItemGuard.Language(SourceLanguage),
                SourceUrl = StoredItemGuard.Clean(SourceUrl) ?? "",
            };
        }
    }
}
