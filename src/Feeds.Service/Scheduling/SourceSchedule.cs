using Feeds.Core.Sources;
using Quartz;

namespace Feeds.Service.Scheduling;

/// <summary>
/// The schedule of the sources' polls, chosen by the store (<see cref="AddSourceSchedule"/>). On SQLite, the one node's
/// <see cref="DueQueue"/>. On PostgreSQL, shared by the nodes of a cluster: one durable Quartz job per source with one
/// one-shot trigger, armed at the source's next poll: at start-up (and
/// when the source is added) for now, then, after each poll, at the due time <see cref="Core.Refreshing.SourceRefresher"/>
/// computed from the source's stored state (adaptive interval, backoff, Retry-After, a Gone source's day). Quartz
/// does nothing for a source between its polls, so a service with nothing due is idle whatever the size of its
/// catalogue: 20,000 sources that each asked every 30 s whether they were due kept almost half a core busy.
/// A trigger lost to a fault (a job that threw, a re-arm that failed) is found by <see cref="RearmLostSourcesJob"/>.
/// Jobs follow the config: <see cref="SourceScheduler"/> adds and removes them as sources come and go.
/// The schedule lives in the database (Quartz's clustered ADO.NET job store, its tables made by the store's
/// migrations), shared by every node on it: each trigger fires on one node, a node that stops checking in has its
/// running polls redone elsewhere (<see cref="IJobDetail.RequestsRecovery"/>), and
/// <see cref="DisallowConcurrentExecutionAttribute"/> keeps one poll per source across the cluster.
/// </summary>
internal static class SourceSchedule
{
    public const string Group = "sources";

    /// <summary>The group of the one-off polls of sources whose address changed.</summary>
    private const string MovedGroup = "moved-sources";

    /// <summary>The name every node of a cluster gives its scheduler: Quartz shares the rows of one name.</summary>
    public const string ClusterName = "feeds";

    /// <summary>How often a node tells the others it is alive.</summary>
    public static readonly TimeSpan CheckinEvery = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How long past a missed check-in the others wait before they take over a node's polls. Quartz judges silence by
    /// at least 7.5 s whatever the check-in interval, so a node is taken over after 10 s without a check-in: longer
    /// than a garbage collection or a slow commit (a live node taken over would see its polls redone), short enough
    /// that a dead node's sources are polled again within 20 s of its death.
    /// </summary>
    public static readonly TimeSpan TakenOverAfter = TimeSpan.FromSeconds(2.5);

    /// <summary>
    /// The schedule of the sources' polls: on PostgreSQL one Quartz job per source in the clustered job store, shared by
    /// every node; on SQLite, one node, the <see cref="DueQueue"/> over the store's due times.
    /// </summary>
    public static IServiceCollection AddSourceSchedule(this IServiceCollection services, FeedsConfig config, StorageSettings storage)
    {
        // Every job's runs, counted on /metrics, whichever schedule.
        services.AddQuartz(quartz => quartz.AddJobListener<JobRunCounter>(GroupMatcher<JobKey>.AnyGroup()));
        if (storage is { Provider: StorageProvider.Postgres, ConnectionString: { } connectionString })
            AddClusteredSchedule(services, config, connectionString);
        else
            AddDueQueue(services);
        return services;
    }

    private static void AddClusteredSchedule(IServiceCollection services, FeedsConfig config, string connectionString)
    {
        services.AddQuartz(quartz =>
        {
            UseCluster(quartz, connectionString);
            // Jobs spend their time awaiting a busy host's slot or the network, not on a thread (Quartz runs them as
            // tasks; this is a cap on how many run, nothing is allocated for it). Room for every configured source to
            // wait on its host at once, and then some, so the sources of one busy host (30 of them, redirecting, on a
            // host that takes one request a second) never hold up the sources of other hosts.
            quartz.UseDefaultThreadPool(config.Sources.Count + Math.Max(10, config.Fetching.MaxConcurrency * 4));
            quartz.AddJob<RearmLostSourcesJob>(job => job.WithIdentity(RearmLostSourcesJob.Job).StoreDurably());
        });
        services.AddHostedService<SourceScheduler>();
        // Shutdown waits for running polls to finish.
        services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
    }

    private static void AddDueQueue(IServiceCollection services)
    {
        services.AddQuartz(quartz =>
        {
            // The due queue's one run, retention and the WebSub ping: the polls are the queue's tasks, not Quartz jobs.
            quartz.UseDefaultThreadPool(4);
            quartz.AddJob<PollDueSourcesJob>(job => job.WithIdentity(PollDueSourcesJob.Job).StoreDurably());
        });
        services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
        // After Quartz's, so it stops first: no new polls, and the running ones may finish before Quartz shuts down.
        services.AddSingleton<DueQueue>();
        services.AddHostedService(provider => provider.GetRequiredService<DueQueue>());
    }

    private static void UseCluster(IQuartzBuilder quartz, string connectionString)
    {
        quartz.ConfigureScheduler(scheduler =>
        {
            scheduler.InstanceName = ClusterName;
            // Host name and start time: unique per node, and what /status shows for it.
            scheduler.GenerateInstanceId = true;
            // A node takes up to this many due triggers per round trip to the database: a cold start of thousands of
            // sources is not held to one round trip per poll, and is not all taken by the first node to ask either.
            scheduler.MaxBatchSize = 20;
        });
        quartz.UsePersistentStore(store =>
        {
            store.UsePostgres(connectionString);
            store.UseSystemTextJsonSerializer();
            store.UseClustering(cluster =>
            {
                cluster.CheckinInterval = CheckinEvery;
                cluster.CheckinMisfireThreshold = TakenOverAfter;
            });
        });
    }

    public static JobKey JobOf(string sourceId) => new(sourceId, Group);

    /// <summary>
    /// The source a job polls: its name. Not job data, which would cost a dictionary per job (5 MB of the in-memory
    /// schedule of 20,000 sources).
    /// </summary>
    public static string SourceOf(JobKey job) => job.Name;

    public static TriggerKey TriggerOf(string sourceId) => new(sourceId, Group);

    /// <summary>
    /// The job of a new source and its trigger for now: its first poll does not wait for a stored schedule. Replaces
    /// nothing: when the source already has its job (the schedule is in the database and another node added it first,
    /// or a node that started earlier did), its trigger is left where it is and false is returned.
    /// </summary>
    public static async Task<bool> AddAsync(IScheduler scheduler, Source source, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            await scheduler.ScheduleJob(JobFor(source), [PollAt(source.Id, now, startup: true)], default, cancellationToken);
            return true;
        }
        catch (ObjectAlreadyExistsException)
        {
            return false;
        }
    }

    /// <summary>
    /// The job of a source whose trigger was lost, and a trigger for now. The job polls only if the source is due and
    /// otherwise re-arms itself at its due time, so arming it is harmless however many times it happens. The fetch
    /// throttle spreads the polls of sources armed together over their hosts and the fetch slots.
    /// </summary>
    public static async Task RearmLostAsync(IScheduler scheduler, Source source, DateTimeOffset now, CancellationToken cancellationToken) =>
        await scheduler.ScheduleJob(JobFor(source), [PollAt(source.Id, now, startup: false)], ScheduleJobOptions.Replacing, cancellationToken);

    /// <summary>
    /// A poll now of a source whose address changed. A one-off trigger of its own, so a poll of the old address that is
    /// running now cannot re-arm it away; it runs after that poll. Its key is the source's, so the nodes of a cluster
    /// that each apply the edit add one poll between them, not one each (a node that reloads the file only after that
    /// poll has finished adds another).
    /// </summary>
    public static async Task PollMovedAsync(IScheduler scheduler, string sourceId, CancellationToken cancellationToken)
    {
        var trigger = TriggerBuilder.Create()
            .ForJob(JobOf(sourceId))
            .WithIdentity(sourceId, MovedGroup)
            .UsingJobData(RefreshSourceJob.StartupKey, true)
            .StartNow()
            .Build();
        try
        {
            await scheduler.ScheduleJob(trigger, default, cancellationToken);
        }
        catch (ObjectAlreadyExistsException)
        {
            // Another node added this poll already.
        }
    }

    private static IJobDetail JobFor(Source source) => JobBuilder.Create<RefreshSourceJob>()
        .WithIdentity(JobOf(source.Id))
        .StoreDurably()
        // A poll cut short by a node that died is redone by the node that takes over its work.
        .RequestRecovery()
        .Build();

    /// <summary>
    /// Moves the source's one trigger to <paramref name="at"/>. Called from the source's own running job, whose trigger
    /// Quartz then keeps instead of deleting it as spent; <see cref="DisallowConcurrentExecutionAttribute"/> holds
    /// the new trigger until that run has finished.
    /// </summary>
    public static async Task RearmAsync(IScheduler scheduler, string sourceId, DateTimeOffset at, CancellationToken cancellationToken) =>
        await scheduler.ScheduleJob(PollAt(sourceId, at, startup: false), ScheduleJobOptions.Replacing, cancellationToken);

    /// <summary>
    /// A single poll at <paramref name="at"/>. When it cannot fire on time (every pool slot taken at start-up) Quartz's
    /// default for a one-shot trigger fires it as soon as it can: a poll is late, never skipped.
    /// </summary>
    private static ITrigger PollAt(string sourceId, DateTimeOffset at, bool startup) => TriggerBuilder.Create()
        .ForJob(JobOf(sourceId))
        .WithIdentity(TriggerOf(sourceId))
        // Set either way: in the database, a trigger that replaces another without data of its own keeps the old one's.
        .UsingJobData(RefreshSourceJob.StartupKey, startup)
        .StartAt(at)
        .Build();
}
