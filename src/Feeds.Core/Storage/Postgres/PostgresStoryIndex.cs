using System.Data.Common;
using Dapper;

namespace Feeds.Core.Storage.Postgres;

/// <summary>
/// <see cref="DbStoryIndex"/> on PostgreSQL: lists and rows as arrays, and placements one poll at a time across every
/// process sharing the database, by a transaction-scoped advisory lock: polls of different sources otherwise commit side by side.
/// </summary>
internal sealed class PostgresStoryIndex : DbStoryIndex
{
    // Any fixed number: the key of the advisory lock held while placing a poll's items ("story" in ASCII).
    private const long PlacementLock = 0x73746F7279;

    protected override Task SerializePlacementsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@PlacementLock)", new { PlacementLock }, transaction, cancellationToken: cancellationToken));

    protected override Task SetStoriesAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<(long Id, long StoryId)> joined, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE items SET story_id = joined.story_id
            FROM unnest(@ids::bigint[], @storyIds::bigint[]) AS joined(id, story_id)
            WHERE items.id = joined.id
            """,
            new { ids = joined.Select(j => j.Id).ToArray(), storyIds = joined.Select(j => j.StoryId).ToArray() }, transaction, cancellationToken: cancellationToken));

    protected override Task IndexTermsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<(string Term, long PublishedMs, long ItemId)> postings, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO story_terms (term, published_at, item_id)
            SELECT * FROM unnest(@terms::text[], @published::bigint[], @ids::bigint[])
            ON CONFLICT DO NOTHING
            """,
            new { terms = postings.Select(p => p.Term).ToArray(), published = postings.Select(p => p.PublishedMs).ToArray(), ids = postings.Select(p => p.ItemId).ToArray() },
            transaction, cancellationToken: cancellationToken));

    protected override string Values(string listParameter) => $"(SELECT unnest({listParameter}) AS value)";

    protected override object List<T>(IReadOnlyCollection<T> values) => values.ToArray();
}
