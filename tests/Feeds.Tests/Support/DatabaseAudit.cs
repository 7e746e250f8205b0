using Dapper;
using Microsoft.Data.Sqlite;

namespace Feeds.Tests.Support;

/// <summary>
/// What a database file holds, read from outside the service as an operator would after a crash: its integrity,
/// every item's identity, and each source's validators and last poll.
/// </summary>
public sealed record DatabaseAudit(string Integrity, IReadOnlyList<DatabaseAudit.Item> Items, IReadOnlyList<DatabaseAudit.Source> Sources)
{
    public sealed record Item(string SourceId, string ItemKey, string? Guid, string? Link);

    /// <param name="LastAttemptAt">When the source's last poll was saved (unix ms), whatever its outcome, 304 included.</param>
    public sealed record Source(string Id, string? ETag, string? LastModified, long? LastAttemptAt);

    public static async Task<DatabaseAudit> ReadAsync(string databasePath)
    {
        // No pooling: the file is released at once, for the service that starts next.
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        var integrity = string.Join("; ", await connection.QueryAsync<string>("PRAGMA integrity_check;"));
        var hasSchema = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM sqlite_schema WHERE name = 'items'") > 0;
        if (!hasSchema)
            return new DatabaseAudit(integrity, [], []);
        var items = await connection.QueryAsync<Item>("SELECT source_id AS SourceId, item_key AS ItemKey, guid AS Guid, link AS Link FROM items");
        var sources = await connection.QueryAsync<Source>("SELECT id AS Id, etag AS ETag, last_modified AS LastModified, last_attempt_at AS LastAttemptAt FROM sources");
        return new DatabaseAudit(integrity, items.ToList(), sources.ToList());
    }
}
