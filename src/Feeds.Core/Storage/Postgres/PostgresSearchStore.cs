using System.Data.Common;
using Dapper;
using Feeds.Core.Sources;

namespace Feeds.Core.Storage.Postgres;

/// <summary>
/// <see cref="ISearchStore"/> on PostgreSQL: a <c>tsvector</c> column with a GIN index (migration 0008). A search's
/// <c>tsquery</c> is built in SQL from the parsed query, each word or phrase a bound parameter read by
/// <c>phraseto_tsquery</c>, which takes plain text: nothing a reader types is read as tsquery syntax. Related items are
/// ranked by <c>ts_rank</c> over the item's rarest words, as SQLite's are by bm25.
/// </summary>
internal sealed class PostgresSearchStore(PostgresDatabase database, TimeProvider clock) : DbSearchStore(database, clock)
{
    protected override async Task<IReadOnlyList<long>> MatchingIdsAsync(DbConnection connection, SearchQuery query, IReadOnlyCollection<string> sourceIds,
        long cursorId, bool older, int limit, CancellationToken cancellationToken)
    {
        var (comparison, order) = older ? ("<", "DESC") : (">", "ASC");
        var parameters = new DynamicParameters(new { cursorId, sourceIds = sourceIds.ToArray(), limit });
        var ids = await connection.QueryAsync<long>(new CommandDefinition(
            $"""
            SELECT id FROM items
            WHERE search_vector @@ ({TsQuery(query, parameters)}) AND id {comparison} @cursorId AND source_id = ANY(@sourceIds)
            ORDER BY id {order} LIMIT @limit
            """,
            parameters, cancellationToken: cancellationToken));
        return ids.ToList();
    }

    protected override async Task<IReadOnlyList<long>> RankRelatedAsync(DbConnection connection, IReadOnlyList<string> candidates, long[] excludedIds,
        int limit, CancellationToken cancellationToken)
    {
        // The rarest words that another item has too, as on SQLite (SqliteSearchStore.RankRelatedAsync): they tell what the
        // item is about, and ranking by them alone keeps a common word from pulling in items that share only it. Each
        // word's items are counted through the GIN index only up to CommonWordCount, so a common word costs no more than
        // that. plainto_tsquery reads a word as plain text and never fails on it.
        var terms = (await connection.QueryAsync<string>(new CommandDefinition(
            $"""
            SELECT word FROM (
                SELECT w.word,
                       (SELECT count(*) FROM (SELECT 1 FROM items WHERE search_vector @@ plainto_tsquery('simple', w.word) LIMIT {CommonWordCount}) AS c) AS items
                FROM unnest(@candidates::text[]) AS w(word)) AS counted
            WHERE items > 1 AND items < {CommonWordCount} ORDER BY items, word LIMIT {RelatedWords}
            """,
            new { candidates = candidates.ToArray() }, cancellationToken: cancellationToken))).ToList();
        if (terms.Count == 0)
            return [];
        // websearch_to_tsquery reads plain words joined by "or" and never fails on its input.
        var ids = await connection.QueryAsync<long>(new CommandDefinition(
            """
            SELECT id FROM items, websearch_to_tsquery('simple', @words) AS q
            WHERE search_vector @@ q AND id <> ALL(@excludedIds)
            ORDER BY ts_rank(search_vector, q) DESC, id DESC LIMIT @limit
            """,
            new { words = string.Join(" or ", terms), excludedIds, limit }, cancellationToken: cancellationToken));
        return ids.ToList();
    }

    protected override string IsIn(string column, string listParameter) => PostgresDatabase.IsIn(column, listParameter);

    protected override object List(IReadOnlyCollection<long> ids) => ids.ToArray();

    /// <summary>
    /// The tsquery of <paramref name="query"/>, its terms added to <paramref name="parameters"/>: the words and phrases
    /// ANDed, less any of its exclusions.
    /// </summary>
    private static string TsQuery(SearchQuery query, DynamicParameters parameters)
    {
        string Terms(IReadOnlyList<SearchTerm> terms, string prefix, string joiner) => string.Join(joiner, terms.Select((term, index) =>
        {
            parameters.Add(prefix + index, string.Join(' ', term.Words));
            return $"phraseto_tsquery('simple', @{prefix}{index})";
        }));
        var included = "(" + Terms(query.Include, "include", " && ") + ")";
        return query.Exclude.Count == 0 ? included : included + " && !!(" + Terms(query.Exclude, "exclude", " || ") + ")";
    }
}
