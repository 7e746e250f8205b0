using Feeds.Core.Publishing;
using Feeds.Core.Sources;

namespace Feeds.Service.Publishing;

/// <summary>
/// Watches the sections' change versions and pings the configured WebSub hub for each section that changed.
/// Polling a counter in memory keeps ingest free of publishing concerns and batches a burst of polls into one ping.
/// </summary>
internal sealed partial class WebSubPinger(FeedsConfigMonitor configs, ContentVersions versions, WebSubHub hub, TimeProvider clock, ILogger<WebSubPinger> logger) : BackgroundService
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var pinged = new Dictionary<string, long>();
        using var timer = new PeriodicTimer(CheckEvery, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                // The config in force at this tick: the hub and the sections may be edited while we run.
                var config = configs.Current;
                if (config.Publishing.Hub is not { } hubUrl)
                    continue;
                foreach (var section in config.Sections)
                {
                    var version = versions.Section(config, section);
                    if (version == pinged.GetValueOrDefault(section.Id))
                        continue;
                    pinged[section.Id] = version;
                    var refused = await hub.PublishAsync(config.Publishing, section, stoppingToken);
                    if (refused.Count == 0)
                        LogPinged(section.Id, hubUrl);
                    else
                        LogRefused(section.Id, hubUrl, string.Join("; ", refused));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pinged WebSub hub {Hub} for section {Section}")]
    private partial void LogPinged(string section, Uri hub);

    [LoggerMessage(Level = LogLevel.Warning, Message = "WebSub hub {Hub} did not take the ping for section {Section}: {Reason}")]
    private partial void LogRefused(string section, Uri hub, string reason);
}
