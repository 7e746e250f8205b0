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

    protected override Task SaveReportsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<StoryReport> reports, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO story_reports (item_id, source_id, published_at, story_id, link_key, headline_key, story_terms)
            SELECT * FROM unnest(@ids::bigint[], @sources::text[], @published::bigint[], @stories::bigint[], @linkKeys::text[], @headlineKeys::text[], @terms::text[])
            ON CONFLICT (item_id) DO UPDATE SET published_at = excluded.published_at, link_key = excluded.link_key,
                headline_key = excluded.headline_key, story_terms = excluded.story_terms
            """,
            new
            {
                ids = reports.Select(r => r.ItemId).ToArray(),
                sources = reports.Select(r => r.SourceId).ToArray(),
                published = reports.Select(r => r.PublishedMs).ToArray(),
                stories = reports.Select(r => r.StoryId).ToArray(),
                linkKeys = reports.Select(r => r.LinkKey).ToArray(),
                headlineKeys = reports.Select(r => r.HeadlineKey).ToArray(),
                terms = reports.Select(r => r.StoryTerms).ToArray(),
            },
            transaction, cancellationToken: cancellationToken));

    // A plain INSERT: the postings are of items the poll has just inserted (an identity's ids are never used again) or
    // whose postings it has just deleted, each term once, so none can be stored already; ON CONFLICT DO NOTHING's
    // speculative insertion cost about a fifth of the statement (bench/stories).
    protected override Task IndexTermsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<(string Term, long PublishedMs, long ItemId)> postings, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO story_terms (term, published_at, item_id)
            SELECT * FROM unnest(@terms::text[], @published::bigint[], @ids::bigint[])
            """,
            new { terms = postings.Select(p => p.Term).ToArray(), published = postings.Select(p => p.PublishedMs).ToArray(), ids = postings.Select(p => p.ItemId).ToArray() },
            transaction, cancellationToken: cancellationToken));

    protected override string Values(string listParameter) => $"(SELECT unnest({listParameter}) AS value)";

    // Each value looked up in the index by itself: joined, a fresh database's planner (no statistics yet, as in a cold
    // ingest) hashed the whole table once per poll; for bench/stories' 400 polls of 50 items the postings read took
    // 1,428-1,862 ms of the server's time joined, 673-701 ms looked up. OFFSET 0 keeps the planner from flattening the
    // LATERAL subquery back into that join.
    protected override string LookUpEach(string listParameter, string table, string condition) =>
        $"unnest({listParameter}) AS sought (value) CROSS JOIN LATERAL (SELECT * FROM {table} p WHERE {condition} OFFSET 0) p";

    protected override string IsIn(string column, string listParameter) => PostgresDatabase.IsIn(column, listParameter);

    // Each key looked up by itself, as in LookUpEach: with a window over the items of every key, a fresh database's
    // planner guessed thousands of rows for a poll's fifty link keys and scanned the whole items table for each poll
    // (bench/stories, 400 polls of 50 items: the candidates read took 3,035-6,402 ms of the server's time so, and
    // 1,048-1,432 ms looked up key by key).
    protected override string EarliestPerKey(string keyColumn, string keysParameter, string condition) => $"""
        SELECT earliest.id FROM unnest({keysParameter}) AS sought (key) CROSS JOIN LATERAL (
            SELECT id FROM items WHERE {keyColumn} = sought.key AND {condition} ORDER BY published_at, id LIMIT @perKey) earliest
        """;

    protected override object List<T>(IReadOnlyCollection<T> values) => values.ToArray();
}
