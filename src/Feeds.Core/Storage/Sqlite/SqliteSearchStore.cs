using System.Data.Common;
using Dapper;
using Feeds.Core.Sources;

namespace Feeds.Core.Storage.Sqlite;

/// <summary>
/// <see cref="ISearchStore"/> on SQLite: FTS5 over the items (migration 0010). A search is an FTS5 MATCH written from the
/// parsed query, every word and phrase a quoted string (https://sqlite.org/fts5.html#fts5_strings), so nothing a reader
/// types is read as FTS5 syntax; related items are ranked by bm25 over an item's rarest words.
/// </summary>
internal sealed class SqliteSearchStore(SqliteDatabase database, TimeProvider clock) : DbSearchStore(database, clock)
{
    /// <summary>bm25 weights of the index's columns: a word in the title says more than one in the summary.</summary>
    private const string Bm25 = "bm25(items_search, 3.0, 1.0)";

    protected override async Task<IReadOnlyList<long>> MatchingIdsAsync(DbConnection connection, SearchQuery query, IReadOnlyCollection<string> sourceIds,
        long cursorId, bool older, int limit, CancellationToken cancellationToken)
    {
        var (comparison, order) = older ? ("<", "DESC") : (">", "ASC");
        // The index yields its matches in rowid order from the cursor on, so a page reads about as many rows as it shows
        // however many items match; a row is read only to see its source.
        var ids = await connection.QueryAsync<long>(new CommandDefinition(
            $"""
            SELECT f.rowid FROM items_search f JOIN items i ON i.id = f.rowid
            WHERE items_search MATCH @match AND f.rowid {comparison} @cursorId
              AND {SqliteDatabase.IsIn("i.source_id", "@sourceIds")}
            ORDER BY f.rowid {order} LIMIT @limit
            """,
            new { match = Match(query), cursorId, sourceIds = SqliteDatabase.JsonArray(sourceIds), limit }, cancellationToken: cancellationToken));
        return ids.ToList();
    }

    protected override async Task<IReadOnlyList<long>> RankRelatedAsync(DbConnection connection, IReadOnlyList<string> candidates, long[] excludedIds,
        int limit, CancellationToken cancellationToken)
    {
        // The rarest words that another item has too: they tell what the item is about, and their short posting lists keep
        // the ranking cheap. A word only this item has finds nothing; a common one (in CommonWordCount items or more) is
        // left out, so the ranking reads a few hundred items at most. Each word's items are counted only up to that cap:
        // an fts5vocab table would count whole posting lists (50 ms an item at 100,000 items).
        var terms = (await connection.QueryAsync<string>(new CommandDefinition(
            $"""
            SELECT phrase FROM (
                SELECT w.value AS phrase,
                       (SELECT count(*) FROM (SELECT 1 FROM items_search WHERE items_search MATCH w.value LIMIT {CommonWordCount})) AS items
                FROM json_each(@phrases) w)
            WHERE items > 1 AND items < {CommonWordCount} ORDER BY items LIMIT {RelatedWords}
            """,
            new { phrases = SqliteDatabase.JsonArray(candidates.Select(Quoted)) }, cancellationToken: cancellationToken))).ToList();
        if (terms.Count == 0)
            return [];
        var ids = await connection.QueryAsync<long>(new CommandDefinition(
            $"""
            SELECT rowid FROM items_search
            WHERE items_search MATCH @match AND NOT {IsIn("rowid", "@excluded")}
            ORDER BY {Bm25} LIMIT @limit
            """,
            new { match = string.Join(" OR ", terms), excluded = List(excludedIds), limit },
            cancellationToken: cancellationToken));
        return ids.ToList();
    }

    protected override string IsIn(string column, string listParameter) => SqliteDatabase.IsIn(column, listParameter);

    protected override object List(IReadOnlyCollection<long> ids) => SqliteDatabase.JsonArray(ids);

    /// <summary>
    /// The FTS5 query of <paramref name="query"/>: its words and phrases ANDed, less any of its exclusions
    /// (<c>("a" AND "b c") NOT ("x" OR "y")</c>).
    /// </summary>
    internal static string Match(SearchQuery query)
    {
        var included = "(" + string.Join(" AND ", query.Include.Select(Phrase)) + ")";
        return query.Exclude.Count == 0 ? included : included + " NOT (" + string.Join(" OR ", query.Exclude.Select(Phrase)) + ")";
    }

    private static string Phrase(SearchTerm term) => Quoted(string.Join(' ', term.Words));

    /// <summary>An FTS5 string: within double quotes, a double quote doubled. Terms hold only letters and digits; the quoting makes sure.</summary>
    private static string Quoted(string words) => "\"" + words.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
