using System.Reflection;
using System.Security.Cryptography;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Quartz;

namespace Feeds.Service.Scheduling;

/// <summary>
/// This node's record among the nodes of a cluster (<see cref="INodeRegistry"/>): its scheduler's instance id, its build,
/// a hash of the config file it runs on, checked in every <see cref="SourceSchedule.CheckinEvery"/> as Quartz checks in,
/// and removed when it stops. Only on PostgreSQL; <c>/status</c> lists the nodes and <c>/healthz</c> says whether this
/// one is checked in.
/// </summary>
internal sealed partial class ClusterMembership(
    INodeRegistry registry, ISchedulerFactory schedulers, FeedsConfigMonitor configs, TimeProvider clock, ILogger<ClusterMembership> logger)
    : BackgroundService
{
    /// <summary>How long a node's record is listed after its last check-in: three times what the others wait before taking its polls over.</summary>
    public static readonly TimeSpan ListedFor = TimeSpan.FromSeconds(30);

    /// <summary>A node silent this long has been taken over by the others (Quartz's 7.5 s floor plus <see cref="SourceSchedule.TakenOverAfter"/>).</summary>
    public static readonly TimeSpan CheckedInWithin = TimeSpan.FromSeconds(7.5) + SourceSchedule.TakenOverAfter;

    private static readonly string Version =
        typeof(ClusterMembership).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    private (FeedsConfig Config, string Hash)? _hashed;
    private DateTimeOffset? _lastCheckIn;

    public string? NodeId { get; private set; }

    /// <summary>When this node last wrote its record; null before the first check-in.</summary>
    public DateTimeOffset? LastCheckIn => _lastCheckIn;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var scheduler = await schedulers.GetScheduler(stoppingToken);
        NodeId = await scheduler.GetSchedulerInstanceId(stoppingToken);
        var started = clock.GetUtcNow();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var now = clock.GetUtcNow();
                try
                {
                    await registry.CheckInAsync(new NodeRecord(NodeId, Version, ConfigHash(), started, now), stoppingToken);
                    _lastCheckIn = now;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogCheckInFailed(e, NodeId);
                }
                await Task.Delay(SourceSchedule.CheckinEvery, clock, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping; StopAsync removes the record.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (NodeId is null)
            return;
        try
        {
            await registry.LeaveAsync(NodeId, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Its record ages out of the listing instead.
            LogCheckInFailed(e, NodeId);
        }
    }

    /// <summary>The nodes checked in recently, and whether their config files differ.</summary>
    public async Task<ClusterView> ViewAsync(CancellationToken cancellationToken)
    {
        var nodes = await registry.GetNodesAsync(clock.GetUtcNow() - ListedFor, cancellationToken);
        return new ClusterView(nodes, nodes.Select(node => node.ConfigHash).Distinct(StringComparer.Ordinal).Count() > 1);
    }

    /// <summary>SHA-256 of the config file in force, read again only after the config was reloaded.</summary>
    private string ConfigHash()
    {
        var config = configs.Current;
        if (_hashed is { } hashed && ReferenceEquals(hashed.Config, config))
            return hashed.Hash;
        string hash;
        try
        {
            hash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(config.FilePath)))[..16];
        }
        catch (IOException)
        {
            hash = "unreadable";
        }
        _hashed = (config, hash);
        return hash;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {NodeId} could not check in with the database; the others take over its polls if this lasts")]
    private partial void LogCheckInFailed(Exception exception, string nodeId);
}

/// <param name="ConfigsDiffer">True when the nodes run on config files that differ: they then poll and publish differently.</param>
public sealed record ClusterView(IReadOnlyList<NodeRecord> Nodes, bool ConfigsDiffer);
