namespace Feeds.Core.Storage;

/// <summary>
/// The nodes of a cluster sharing one database, each recorded by itself: what it runs, on which config, and when it last
/// checked in. Only a store several processes share has one (PostgreSQL); on SQLite the service is one node and none is
/// registered.
/// </summary>
public interface INodeRegistry
{
    /// <summary>Records <paramref name="node"/> (its check-in time included), replacing its last record.</summary>
    Task CheckInAsync(NodeRecord node, CancellationToken cancellationToken);

    /// <summary>Every node that checked in since <paramref name="since"/>, by id; older records are deleted.</summary>
    Task<IReadOnlyList<NodeRecord>> GetNodesAsync(DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>Removes the record of a node that stops.</summary>
    Task LeaveAsync(string nodeId, CancellationToken cancellationToken);
}

/// <param name="Id">The node's scheduler instance id, unique in the cluster.</param>
/// <param name="Version">The build it runs.</param>
/// <param name="ConfigHash">A hash of the config file it runs on: every node should show the same.</param>
public sealed record NodeRecord(string Id, string Version, string ConfigHash, DateTimeOffset StartedAt, DateTimeOffset LastCheckIn);
