using System.Data.Common;
using Dapper;

namespace Feeds.Core.Storage;

/// <summary>
/// What every <see cref="IPublishingStore"/> does alike (SQL over <see cref="DbConnection"/>): keyset pages on
/// (published_at, id), and the reports of stories. A store supplies its dialect's
/// way to pass a list as one parameter and to compare with the cursor, and its versions.
/// </summary>
internal abstract class DbPublishingStore(IStoreDatabase database, TimeProvider clock) : IPublishingStore
{
    public async Task<IReadOnlyList<StoredItem>> GetItemsAsync(IReadOnlyCollection<string> sourceIds, ItemCursor cursor, int limit, CancellationToken cancellationToken)
    {
        // Keyset paging on (published_at, id): stable however many items arrive meanwhile. The cursor is one row-value
        // comparison, which the (source_id, published_at, id) index can seek on; spelled as "published_at < x OR
        // (published_at = x AND id < y)", SQLite read the whole table for it (10 s a page at 400,000 items). The page's
        // ids are picked from that index alone and only then are their rows read, not the rows of every candidate.
        var older = cursor.Direction == PageDirection.Older;
        var (comparison, order) = older ? ("<", "i.published_at DESC, i.id DESC") : (">", "i.published_at ASC, i.id ASC");
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        // A section may have any number of sources: their ids go in as one parameter.
        var rows = await connection.QueryAsync<ItemRow>(new CommandDefinition(
            $"""
            {ItemRow.Select}
            WHERE i.id IN (
                SELECT i.id FROM items i
                WHERE {IsIn("i.source_id", "@sourceIds")} AND (i.published_at, i.id) {comparison} (@PublishedMs, @Id)
                ORDER BY {order} LIMIT @limit)
            ORDER BY {order}
            """,
            new { sourceIds = List(sourceIds), cursor.PublishedMs, cursor.Id, limit }, cancellationToken: cancellationToken));
        var now = clock.GetUtcNow();
        var items = rows.Select(r => r.ToItem(now));
        return (older ? items : items.Reverse()).ToList();
    }

    public async Task<IReadOnlyList<StoredItem>> GetStoryMembersAsync(IReadOnlyCollection<long> storyIds, CancellationToken cancellationToken)
    {
        if (storyIds.Count == 0)
            return [];
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        // A story's members are found by their reports (story_reports_by_story): every stored item has one.
        var rows = await connection.QueryAsync<ItemRow>(new CommandDefinition(
            $"""
            {ItemRow.Select}
            WHERE i.id IN (SELECT item_id FROM story_reports WHERE {IsIn("story_id", "@storyIds")})
            ORDER BY i.published_at ASC, i.id ASC
            """,
            new { storyIds = List(storyIds) }, cancellationToken: cancellationToken));
        var now = clock.GetUtcNow();
        return rows.Select(r => r.ToItem(now)).ToList();
    }

    public async Task<IReadOnlyList<long>> GetLatestStoriesAsync(int minMembers, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        // From the reports alone, grouped in the order of their story index: every stored item has one.
        var ids = await connection.QueryAsync<long>(new CommandDefinition(
            """
            SELECT story_id FROM story_reports
            GROUP BY story_id
            HAVING count(*) >= @minMembers
            ORDER BY max(published_at) DESC, story_id DESC
            LIMIT @limit
            """,
            new { minMembers, limit }, cancellationToken: cancellationToken));
        return ids.ToList();
    }

    public async Task<IReadOnlyList<(long StoryId, ItemChange Last)>> GetStoriesChangedAfterAsync(ItemChange after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        // A poll stamps the items it adds or edits with its time, always past the last stamp stored (last_changed_at,
        // DbPollStore.ChangeStampAsync); the id orders one poll's. Each story
        // comes once, with its latest change, ordered by it: every story left out by the limit has a later one than the
        // last returned, so asking again after that finds it. The index on (last_changed_at, id) seeks to the changes.
        var rows = await connection.QueryAsync<(long StoryId, long ChangedMs, long ItemId)>(new CommandDefinition(
            """
            SELECT story_id, last_changed_at, id FROM (
                SELECT coalesce(r.story_id, i.id) AS story_id, i.last_changed_at, i.id,
                       row_number() OVER (PARTITION BY coalesce(r.story_id, i.id) ORDER BY i.last_changed_at DESC, i.id DESC) AS latest
                FROM items i LEFT JOIN story_reports r ON r.item_id = i.id
                WHERE i.last_changed_at >= @ChangedMs AND (i.last_changed_at, i.id) > (@ChangedMs, @ItemId)) changes
            WHERE latest = 1
            ORDER BY last_changed_at, id
            LIMIT @limit
            """,
            new { after.ChangedMs, after.ItemId, limit }, cancellationToken: cancellationToken));
        return rows.Select(row => (row.StoryId, new ItemChange(row.ChangedMs, row.ItemId))).ToList();
    }

    public async Task<ItemChange> GetLastChangeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var last = (await connection.QueryAsync<(long ChangedMs, long ItemId)>(new CommandDefinition(
            "SELECT last_changed_at, id FROM items ORDER BY last_changed_at DESC, id DESC LIMIT 1", cancellationToken: cancellationToken))).ToList();
        return last.Count == 0 ? ItemChange.None : new ItemChange(last[0].ChangedMs, last[0].ItemId);
    }

    public abstract long GetSourceVersion(string sourceId);

    public abstract long GetStoreVersion();

    /// <summary>The condition that <paramref name="column"/> is one of the values in <paramref name="listParameter"/>, bound with <see cref="List"/>.</summary>
    protected abstract string IsIn(string column, string listParameter);

    /// <summary>A list as one parameter, however long: one parameter per value would pass a database's limit with a large section.</summary>
    protected abstract object List(IReadOnlyCollection<string> values);

    /// <inheritdoc cref="List(IReadOnlyCollection{string})"/>
    protected abstract object List(IReadOnlyCollection<long> values);
}
