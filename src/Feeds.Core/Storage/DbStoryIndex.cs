using System.Data.Common;
using Dapper;
using Feeds.Core.Normalization;

namespace Feeds.Core.Storage;

/// <summary>An item a poll has just stored for the first time, to be placed in its story.</summary>
internal sealed record NewItem(long Id, string SourceId, long PublishedMs, NormalizedItem Item);

/// <summary>
/// Places each new item of a poll in its story, in the poll's transaction: it finds the reports it may share a story
/// with through the index of story terms (only reports published within <see cref="SameStory.Window"/> that share a
/// term with it, the most terms first) and the story keys, lets <see cref="SameStory.StoryFor"/> choose, and indexes
/// the item's own terms. Incremental: a poll reads a few candidate rows per new item, never the whole store.
/// </summary>
/// <remarks>
/// Only new items are placed. An item a later poll changes keeps its story, so a story's id and members never move
/// under a reader. A store supplies its dialect's list parameter, and may serialize placements (see
/// <see cref="SerializePlacementsAsync"/>).
/// </remarks>
internal abstract class DbStoryIndex
{
    /// <summary>At most this many reports sharing terms are compared with a new one: those sharing the most.</summary>
    private const int CandidateLimit = 64;

    public async Task PlaceAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<NewItem> items, CancellationToken cancellationToken)
    {
        if (items.Count == 0)
            return;
        await SerializePlacementsAsync(connection, transaction, cancellationToken);
        // Oldest first, so the earliest report of a story in one poll is the one the others join.
        foreach (var item in items.OrderBy(i => i.PublishedMs).ThenBy(i => i.Id))
        {
            var window = (long)SameStory.Window.TotalMilliseconds;
            var terms = item.Item.StoryTerms;
            var candidates = await connection.QueryAsync<CandidateRow>(new CommandDefinition(
                $"""
                SELECT i.id AS Id, coalesce(i.story_id, i.id) AS StoryId, i.source_id AS SourceId, i.published_at AS PublishedAt,
                       i.link_key AS LinkKey, i.headline_key AS HeadlineKey, i.story_terms AS StoryTerms
                FROM items i
                WHERE i.id IN (
                    SELECT ranked.item_id FROM (
                        SELECT item_id FROM story_terms
                        WHERE {IsIn("term", "@terms")} AND published_at BETWEEN @from AND @to
                        GROUP BY item_id ORDER BY count(*) DESC, item_id LIMIT {CandidateLimit}) ranked
                    UNION SELECT id FROM items WHERE link_key = @LinkKey
                    UNION SELECT id FROM items WHERE headline_key = @HeadlineKey AND published_at BETWEEN @from AND @to)
                  AND i.id <> @Id
                """,
                new
                {
                    terms = List(terms?.Words ?? []), from = item.PublishedMs - window, to = item.PublishedMs + window,
                    item.Item.LinkKey, item.Item.HeadlineKey, item.Id,
                },
                transaction, cancellationToken: cancellationToken));
            var self = new StoryCandidate(item.Id, null, item.SourceId, DateTimeOffset.FromUnixTimeMilliseconds(item.PublishedMs),
                item.Item.LinkKey, item.Item.HeadlineKey, terms);
            var storyId = SameStory.StoryFor(self, candidates.Select(c => c.ToCandidate())) ?? item.Id;
            await connection.ExecuteAsync(new CommandDefinition("UPDATE items SET story_id = @storyId WHERE id = @Id",
                new { storyId, item.Id }, transaction, cancellationToken: cancellationToken));
            if (terms is not null)
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    $"INSERT INTO story_terms (term, published_at, item_id) SELECT term, @PublishedMs, @Id FROM {Values("@terms")}",
                    new { terms = List(terms.Words), item.PublishedMs, item.Id }, transaction, cancellationToken: cancellationToken));
            }
        }
    }

    /// <summary>
    /// Waits, in the poll's transaction, until no other poll is placing items: two polls placing reports of one story at
    /// once would not see each other's and would start two stories. A store whose writes are serialized anyway does nothing.
    /// </summary>
    protected virtual Task SerializePlacementsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    /// <summary>The condition that <paramref name="column"/> is one of the values in <paramref name="listParameter"/>, bound with <see cref="List"/>.</summary>
    protected abstract string IsIn(string column, string listParameter);

    /// <summary>The values in <paramref name="listParameter"/> (bound with <see cref="List"/>) as a table with one column, <c>term</c>.</summary>
    protected abstract string Values(string listParameter);

    /// <summary>A list as one parameter, however long.</summary>
    protected abstract object List(IReadOnlyCollection<string> values);

    /// <summary>A candidate row as both stores return it (times in unix ms).</summary>
    private sealed record CandidateRow
    {
        public long Id { get; init; }
        public long StoryId { get; init; }
        public string SourceId { get; init; } = "";
        public long PublishedAt { get; init; }
        public string? LinkKey { get; init; }
        public string? HeadlineKey { get; init; }
        public string? StoryTerms { get; init; }

        public StoryCandidate ToCandidate() => new(Id, StoryId, SourceId, DateTimeOffset.FromUnixTimeMilliseconds(PublishedAt),
            LinkKey, HeadlineKey, Normalization.StoryTerms.Parse(StoryTerms));
    }
}
