using System.Data.Common;
using Dapper;

namespace Feeds.Core.Storage.Sqlite;

/// <summary>
/// <see cref="DbStoryIndex"/> on SQLite: lists and rows as JSON arrays, one parameter each; placements need no lock of
/// their own, as SQLite saves one poll at a time.
/// </summary>
internal sealed class SqliteStoryIndex : DbStoryIndex
{
    // Stepped once per report, as the postings below.
    protected override Task SaveReportsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<StoryReport> reports, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO story_reports (item_id, source_id, published_at, story_id, link_key, headline_key, story_terms)
            VALUES (@ItemId, @SourceId, @PublishedMs, @StoryId, @LinkKey, @HeadlineKey, @StoryTerms)
            ON CONFLICT (item_id) DO UPDATE SET published_at = excluded.published_at, link_key = excluded.link_key,
                headline_key = excluded.headline_key, story_terms = excluded.story_terms
            """,
            reports, transaction, cancellationToken: cancellationToken));

    // One prepared statement stepped once per posting: SQLite inserts rows read from json_each(@rows) several times
    // slower than the same rows bound one by one (bench/stories), and a posting is three parameters, so binding them by
    // name costs nothing like an item's row (SqlitePollStore).
    protected override Task IndexTermsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<(string Term, long PublishedMs, long ItemId)> postings, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "INSERT OR IGNORE INTO story_terms (term, published_at, item_id) VALUES (@Term, @PublishedMs, @ItemId)",
            postings.Select(p => new { p.Term, p.PublishedMs, p.ItemId }), transaction, cancellationToken: cancellationToken));

    protected override string Values(string listParameter) => $"(SELECT value FROM json_each({listParameter}))";

    protected override string LookUpEach(string listParameter, string table, string condition) =>
        $"{Values(listParameter)} sought JOIN {table} p ON {condition}";

    protected override string IsIn(string column, string listParameter) => SqliteDatabase.IsIn(column, listParameter);

    protected override string EarliestPerKey(string keyColumn, string keysParameter, string condition) => $"""
        SELECT id FROM (
            SELECT id, row_number() OVER (PARTITION BY {keyColumn} ORDER BY published_at, id) AS n
            FROM items WHERE {IsIn(keyColumn, keysParameter)} AND {condition}) earliest
        WHERE n <= @perKey
        """;

    protected override object List<T>(IReadOnlyCollection<T> values) => SqliteDatabase.JsonArray(values);
}
