using System.Data.Common;
using Dapper;

namespace Feeds.Core.Storage.Postgres;

/// <summary>
/// <see cref="DbStoryIndex"/> on PostgreSQL: lists as arrays, and placements one poll at a time across every process
/// sharing the database, by a transaction-scoped advisory lock: polls of different sources otherwise commit side by side.
/// </summary>
internal sealed class PostgresStoryIndex : DbStoryIndex
{
    // Any fixed number: the key of the advisory lock held while placing a poll's items ("story" in ASCII).
    private const long PlacementLock = 0x73746F7279;

    protected override Task SerializePlacementsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@PlacementLock)", new { PlacementLock }, transaction, cancellationToken: cancellationToken));

    protected override string IsIn(string column, string listParameter) => $"{column} = ANY({listParameter})";

    protected override string Values(string listParameter) => $"unnest({listParameter}::text[]) AS term";

    protected override object List(IReadOnlyCollection<string> values) => values.ToArray();
}
