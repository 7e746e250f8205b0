using Feeds.Core.Sources;

namespace Feeds.Service.Hosting;

/// <summary>
/// Applies edits of the config file while the service runs. It looks at the file's size and time every second
/// rather than trusting file-system events, which editors that save by renaming and some container mounts do
/// not deliver reliably; an edit is in force within about a second.
/// </summary>
internal sealed partial class ConfigWatcher(FeedsConfigMonitor configs, TimeProvider clock, ILogger<ConfigWatcher> logger) : BackgroundService
{
    private static readonly TimeSpan LookEvery = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var path = configs.Current.FilePath;
        var seen = Stamp(path);
        using var timer = new PeriodicTimer(LookEvery, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var stamp = Stamp(path);
                if (stamp == seen)
                    continue;
                seen = stamp;
                Report(path, configs.Reload());
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private void Report(string path, ConfigReload reload)
    {
        switch (reload)
        {
            case ConfigReload.Applied { Change: var change }:
                LogApplied(path, change.AddedSources.Count, change.RemovedSources.Count, change.ChangedSources.Count, change.ChangedSections.Count);
                if (change.FetchingChanged)
                    LogFetchingApplied(path, string.Join("; ", change.FetchingChanges));
                if (change.StorageChanged)
                    LogStoreRestartNeeded(path);
                if (change.TrustedProxiesChanged)
                    LogProxiesRestartNeeded(path);
                break;
            case ConfigReload.Rejected { Problems: var problems }:
                LogRejected(path, problems.Count);
                foreach (var problem in problems)
                    LogProblem(problem.ToString());
                break;
        }
    }

    private static (DateTime Written, long Length)? Stamp(string path)
    {
        var file = new FileInfo(path);
        return file.Exists ? (file.LastWriteTimeUtc, file.Length) : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Config {ConfigPath} reloaded: {Added} source(s) added, {Removed} removed, {Changed} changed, {SectionsChanged} section(s) changed")]
    private partial void LogApplied(string configPath, int added, int removed, int changed, int sectionsChanged);

    [LoggerMessage(Level = LogLevel.Information, Message = "Config {ConfigPath}: fetching settings in force for the next fetches: {FetchingChanges}")]
    private partial void LogFetchingApplied(string configPath, string fetchingChanges);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Config {ConfigPath}: the storage settings changed; the service keeps its store until a restart")]
    private partial void LogStoreRestartNeeded(string configPath);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Config {ConfigPath}: operators.trustedProxies changed; the proxies believed change at a restart (the allowed networks and the token apply now)")]
    private partial void LogProxiesRestartNeeded(string configPath);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Config {ConfigPath} was edited but has {ProblemCount} problem(s); still running on the last good config")]
    private partial void LogRejected(string configPath, int problemCount);

    // The problem as check-config and /status show it: file:line:col, the path in the file's spelling, what is wrong.
    [LoggerMessage(Level = LogLevel.Warning, Message = "Config problem: {Problem}")]
    private partial void LogProblem(string problem);
}
