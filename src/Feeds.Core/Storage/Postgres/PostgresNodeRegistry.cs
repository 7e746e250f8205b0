using Dapper;

namespace Feeds.Core.Storage.Postgres;

/// <summary><see cref="INodeRegistry"/> on PostgreSQL: one row per node in <c>cluster_nodes</c>.</summary>
internal sealed class PostgresNodeRegistry(PostgresDatabase database) : INodeRegistry
{
    public async Task CheckInAsync(NodeRecord node, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO cluster_nodes (id, version, config_hash, started_at, last_checkin_at)
            VALUES (@Id, @Version, @ConfigHash, @StartedAt, @LastCheckIn)
            ON CONFLICT (id) DO UPDATE SET version = excluded.version, config_hash = excluded.config_hash,
                started_at = excluded.started_at, last_checkin_at = excluded.last_checkin_at
            """, new
        {
            node.Id,
            node.Version,
            node.ConfigHash,
            StartedAt = node.StartedAt.ToUnixTimeMilliseconds(),
            LastCheckIn = node.LastCheckIn.ToUnixTimeMilliseconds(),
        }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<NodeRecord>> GetNodesAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var sinceMs = since.ToUnixTimeMilliseconds();
        // A node killed without leaving leaves its row; it is dropped once it is older than the window asked about.
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM cluster_nodes WHERE last_checkin_at < @sinceMs", new { sinceMs }, cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<(string Id, string Version, string ConfigHash, long StartedAt, long LastCheckIn)>(new CommandDefinition(
            "SELECT id, version, config_hash, started_at, last_checkin_at FROM cluster_nodes ORDER BY id", cancellationToken: cancellationToken));
        return rows.Select(row => new NodeRecord(row.Id, row.Version, row.ConfigHash,
            DateTimeOffset.FromUnixTimeMilliseconds(row.StartedAt), DateTimeOffset.FromUnixTimeMilliseconds(row.LastCheckIn))).ToList();
    }

    public async Task LeaveAsync(string nodeId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM cluster_nodes WHERE id = @nodeId", new { nodeId }, cancellationToken: cancellationToken));
    }
}
