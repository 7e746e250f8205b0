using System.Globalization;
using Feeds.Core.Publishing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Quartz;

namespace Feeds.Service.Publishing;

/// <summary>
/// Every <see cref="Every"/>, pings the configured WebSub hub for each section whose change version moved since its last
/// ping, and for each story a report joined, or one of its reports changed, since the last check. Reading the versions and the stored reports keeps
/// ingest free of publishing concerns and batches a burst of polls into one ping.
/// </summary>
/// <remarks>
/// The versions last pinged are the job's own data, which Quartz keeps after each run: on PostgreSQL in the shared
/// schedule, so one trigger fires on one node of the cluster at a time and each change is pinged once, whichever node
/// polled it and whichever runs the next check; a node that joins pings nothing already pinged.
/// </remarks>
[DisallowConcurrentExecution]
[PersistJobDataAfterExecution]
internal sealed partial class WebSubPingJob(FeedsConfigMonitor configs, ContentVersions versions, IPublishingStore store, WebSubHub hub,
    ILogger<WebSubPingJob> logger) : IJob
{
    public static readonly JobKey Job = new("websub-ping", "maintenance");

    /// <summary>
    /// The job data key of the latest item change whose story was pinged (kept as text, as the versions are); with a
    /// colon, which no section id (the other keys) can hold.
    /// </summary>
    internal const string LastReportKey = "stories:reports-after";

    /// <summary>Bounds one check: a burst of new stories is pinged over the next checks.</summary>
    private const int StoriesPerCheck = 200;

    public static readonly TimeSpan Every = TimeSpan.FromSeconds(2);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        // The config in force now: the hub and the sections may be edited while we run.
        var config = configs.Current;
        if (config.Publishing.Hub is not { } hubUrl)
            return;
        if (config.Publishing.BaseUrl is not { } baseUrl)
            return;
        var pinged = context.JobDetail.JobDataMap;
        await PingSectionsAsync(config, hubUrl, baseUrl, pinged, cancellationToken);
        await PingStoriesAsync(hubUrl, baseUrl, pinged, cancellationToken);
    }

    private async Task PingSectionsAsync(FeedsConfig config, Uri hubUrl, Uri baseUrl, JobDataMap pinged, CancellationToken cancellationToken)
    {
        foreach (var section in config.Sections)
        {
            // Kept as text: the job's data is stored as JSON, which would not keep a number's type.
            var version = versions.Section(config, section).ToString(CultureInfo.InvariantCulture);
            if (pinged.TryGetString(section.Id, out var last) && last == version)
                continue;
            pinged[section.Id] = version;
            var refused = await hub.PublishAsync(hubUrl, new SectionLinks(baseUrl, section.Id), cancellationToken);
            if (refused.Count == 0)
                LogPinged(section.Id, hubUrl);
            else
                LogRefused(section.Id, hubUrl, string.Join("; ", refused));
        }
    }

    /// <summary>
    /// Pings the feeds of each story a report was stored for, or one of its reports edited, since the last check (WebSub
    /// §7: a topic is pinged when its content changes, and an edited report changes its story's entries). The first
    /// check only notes where the store stands: the stories stored before were never advertised as changed; so does a
    /// check that finds a mark it cannot read (an earlier version's, which counted item ids). On PostgreSQL two polls
    /// commit side by side, and a report stamped before the last change seen but committed after it is pinged with its
    /// story's next change rather than at once.
    /// </summary>
    private async Task PingStoriesAsync(Uri hubUrl, Uri baseUrl, JobDataMap pinged, CancellationToken cancellationToken)
    {
        if (!pinged.TryGetString(LastReportKey, out var lastText) || !ItemChange.TryParse(lastText, out var last))
        {
            pinged[LastReportKey] = (await store.GetLastChangeAsync(cancellationToken)).ToString();
            return;
        }
        foreach (var (storyId, change) in await store.GetStoriesChangedAfterAsync(last, StoriesPerCheck, cancellationToken))
        {
            pinged[LastReportKey] = change.ToString();
            var refused = await hub.PublishAsync(hubUrl, SectionLinks.ForStory(baseUrl, storyId), cancellationToken);
            if (refused.Count == 0)
                LogPingedStory(storyId, hubUrl);
            else
                LogRefusedStory(storyId, hubUrl, string.Join("; ", refused));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pinged WebSub hub {Hub} for section {Section}")]
    private partial void LogPinged(string section, Uri hub);

    [LoggerMessage(Level = LogLevel.Warning, Message = "WebSub hub {Hub} did not take the ping for section {Section}: {Reason}")]
    private partial void LogRefused(string section, Uri hub, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Pinged WebSub hub {Hub} for story {StoryId}")]
    private partial void LogPingedStory(long storyId, Uri hub);

    [LoggerMessage(Level = LogLevel.Warning, Message = "WebSub hub {Hub} did not take the ping for story {StoryId}: {Reason}")]
    private partial void LogRefusedStory(long storyId, Uri hub, string reason);
}

/// <summary>
/// Keeps <see cref="WebSubPingJob"/> scheduled while the config names a hub and a base URL, and only then: with nothing
/// to ping, a check every two seconds would be the service's only work while nothing is due. Follows config edits. The
/// job is added unless the schedule holds it already (a cluster's does once its first node started): replacing it would
/// forget the versions already pinged; without a hub only its trigger goes, so the job keeps them.
/// </summary>
internal sealed partial class WebSubPingSchedule(ISchedulerFactory schedulers, FeedsConfigMonitor configs, TimeProvider clock,
    ILogger<WebSubPingSchedule> logger) : IHostedService
{
    private static readonly TriggerKey Trigger = new("websub-ping", "maintenance");

    // One edit at a time, so a quick second edit cannot be overtaken by the first.
    private readonly SemaphoreSlim _following = new(1, 1);
    private IScheduler? _scheduler;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _scheduler = await schedulers.GetScheduler(cancellationToken);
        await FollowAsync(configs.Current.Publishing, cancellationToken);
        configs.Changed += OnConfigChanged;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        configs.Changed -= OnConfigChanged;
        return Task.CompletedTask;
    }

    private void OnConfigChanged(ConfigChange change)
    {
        if (change.Old.Publishing != change.New.Publishing)
            _ = FollowEditAsync(change.New.Publishing);
    }

    private async Task FollowEditAsync(PublishingSettings publishing)
    {
        try
        {
            await FollowAsync(publishing, CancellationToken.None);
        }
        catch (SchedulerException e)
        {
            // Nothing awaits this (it runs from the config watcher's event); the next edit or start tries again.
            LogFailed(e);
        }
    }

    private async Task FollowAsync(PublishingSettings publishing, CancellationToken cancellationToken)
    {
        var scheduler = _scheduler!;
        await _following.WaitAsync(cancellationToken);
        try
        {
            if (publishing is not { Hub: not null, BaseUrl: not null })
                await scheduler.UnscheduleJob(Trigger, cancellationToken);
            else if (await scheduler.GetTrigger(Trigger, cancellationToken) is null)
                await AddAsync(scheduler, cancellationToken);
        }
        finally
        {
            _following.Release();
        }
    }

    /// <summary>The job with its trigger; only the trigger when the job is there already, keeping the versions it pinged.</summary>
    private async Task AddAsync(IScheduler scheduler, CancellationToken cancellationToken)
    {
        var job = JobBuilder.Create<WebSubPingJob>().WithIdentity(WebSubPingJob.Job).StoreDurably().Build();
        var trigger = TriggerBuilder.Create()
            .ForJob(WebSubPingJob.Job)
            .WithIdentity(Trigger)
            .StartAt(clock.GetUtcNow() + WebSubPingJob.Every)
            // A check missed while the service was busy is not worth replaying; the next one sees the same versions.
            .WithSimpleSchedule(s => s.WithInterval(WebSubPingJob.Every).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
            .Build();
        try
        {
            await scheduler.ScheduleJob(job, [trigger], default, cancellationToken);
        }
        catch (ObjectAlreadyExistsException)
        {
            try
            {
                await scheduler.ScheduleJob(trigger, default, cancellationToken);
            }
            catch (ObjectAlreadyExistsException)
            {
                // Another node of the cluster added the trigger meanwhile.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not follow the edit of the publishing settings in the WebSub ping's schedule")]
    private partial void LogFailed(Exception exception);
}
