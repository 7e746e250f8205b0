using System.Data.Common;
using Dapper;
using Feeds.Core.Sources;

namespace Feeds.Core.Storage;

/// <summary>
/// What every <see cref="ISearchStore"/> does alike: the words of an item its related articles are looked for by, and the
/// rows of the ids its index found. Each store writes its own index query from the parsed <see cref="SearchQuery"/>, never
/// from the text a reader typed.
/// </summary>
internal abstract class DbSearchStore(IStoreDatabase database, TimeProvider clock) : ISearchStore
{
    /// <summary>Words shorter than this say little about what an item is about ("of", "a", "le"), in most languages.</summary>
    private const int MinRelatedWordLength = 3;

    /// <summary>The words of an item a store chooses from: the title's first, then the summary's.</summary>
    private const int MaxRelatedCandidates = 20;

    /// <summary>How many words the related query asks for: a bound on its cost, plenty to tell what an item is about.</summary>
    protected const int RelatedWords = 8;

    /// <summary>Items past which a word counts as common when related items are looked for: its count is not read further.</summary>
    protected const int CommonWordCount = 200;

    public async Task<IReadOnlyList<StoredItem>> SearchAsync(SearchQuery query, IReadOnlyCollection<string> sourceIds, ItemCursor cursor, int limit,
        CancellationToken cancellationToken)
    {
        if (sourceIds.Count == 0)
            return [];
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var older = cursor.Direction == PageDirection.Older;
        var ids = await MatchingIdsAsync(connection, query, sourceIds, cursor.Id, older, limit, cancellationToken);
        var items = await ItemsAsync(connection, ids, cancellationToken);
        return items.OrderByDescending(item => item.Id).ToList();
    }

    public async Task<IReadOnlyList<StoredItem>> GetRelatedAsync(StoredItem item, IReadOnlyCollection<long> excludedIds, int limit,
        CancellationToken cancellationToken)
    {
        var candidates = SearchText.Words(item.Title).Concat(SearchText.Words(item.SummaryText ?? ""))
            .Where(word => word.Length >= MinRelatedWordLength)
            .Distinct(StringComparer.Ordinal)
            .Take(MaxRelatedCandidates)
            .ToList();
        if (candidates.Count == 0)
            return [];
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var excluded = excludedIds.Append(item.Id).Distinct().ToArray();
        var ranked = await RankRelatedAsync(connection, candidates, excluded, limit, cancellationToken);
        return await ItemsAsync(connection, ranked, cancellationToken);
    }

    /// <summary>
    /// The ids of up to <paramref name="limit"/> items of <paramref name="sourceIds"/> that match <paramref name="query"/>,
    /// below <paramref name="cursorId"/> newest first when <paramref name="older"/>, else above it oldest first.
    /// </summary>
    protected abstract Task<IReadOnlyList<long>> MatchingIdsAsync(DbConnection connection, SearchQuery query, IReadOnlyCollection<string> sourceIds,
        long cursorId, bool older, int limit, CancellationToken cancellationToken);

    /// <summary>The ids of up to <paramref name="limit"/> items best matching any of <paramref name="candidates"/> (lowercase words), best first, none of <paramref name="excludedIds"/>.</summary>
    protected abstract Task<IReadOnlyList<long>> RankRelatedAsync(DbConnection connection, IReadOnlyList<string> candidates, long[] excludedIds, int limit,
        CancellationToken cancellationToken);

    /// <summary>The condition that <paramref name="column"/> is one of the ids in <paramref name="listParameter"/>, bound with <see cref="List"/>.</summary>
    protected abstract string IsIn(string column, string listParameter);

    /// <summary>Ids as one parameter.</summary>
    protected abstract object List(IReadOnlyCollection<long> ids);

    /// <summary>The items of <paramref name="ids"/>, in that order; an id whose row went meanwhile is left out.</summary>
    private async Task<List<StoredItem>> ItemsAsync(DbConnection connection, IReadOnlyList<long> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
            return [];
        var rows = await connection.QueryAsync<ItemRow>(new CommandDefinition(
            $"{ItemRow.Select} WHERE {IsIn("i.id", "@ids")}", new { ids = List(ids) }, cancellationToken: cancellationToken));
        var now = clock.GetUtcNow();
        var byId = rows.ToDictionary(row => row.Id, row => row.ToItem(now));
        return ids.Where(byId.ContainsKey).Select(id => byId[id]).ToList();
    }
}
