using System.Data.Common;
using Dapper;
using Feeds.Core.Sources;

namespace Feeds.Core.Storage.Postgres;

/// <summary>
/// <see cref="ISearchStore"/> on PostgreSQL: a <c>tsvector</c> column with a GIN index (migration 0008). A search's
/// <c>tsquery</c> is built in SQL from the parsed query, each word or phrase a bound parameter read by
/// <c>phraseto_tsquery</c>, which takes plain text: nothing a reader types is read as tsquery syntax. Related items are
/// ranked by <c>ts_rank</c>.
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
        // PostgreSQL keeps no document frequencies to pick the rarest words by; the longest are the likeliest to be rare.
        // websearch_to_tsquery reads plain words joined by "or" and never fails on its input.
        var words = candidates.OrderByDescending(word => word.Length).Take(RelatedWords);
        var ids = await connection.QueryAsync<long>(new CommandDefinition(
            """
            SELECT id FROM items, websearch_to_tsquery('simple', @words) AS q
            WHERE search_vector @@ q AND id <> ALL(@excludedIds)
            ORDER BY ts_rank(search_vector, q) DESC, id DESC LIMIT @limit
            """,
            new { words = string.Join(" or ", words), excludedIds, limit }, cancellationToken: cancellationToken));
        return ids.ToList();
    }

    protected override string IsIn(string column, string listParameter) => $"{column} = ANY({listParameter})";

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
