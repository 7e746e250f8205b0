using Feeds.Core.Composition;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Feeds.Service.Endpoints;
using Feeds.Service.Publishing;
using Feeds.Service.Scheduling;

namespace Feeds.Service.Hosting;

/// <summary>Builds the service: the pipeline, the Quartz schedule and the HTTP endpoints. A table of contents.</summary>
public static class FeedsApp
{
    /// <summary>How long a graceful stop (SIGTERM, Ctrl+C) may take.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Builds the web application and brings its database schema up to date.</summary>
    /// <exception cref="InvalidConfigException">The config has problems; every one is listed.</exception>
    public static async Task<WebApplication> BuildAsync(FeedsSettings settings, Action<WebApplicationBuilder>? customize = null)
    {
        var config = ConfigLoader.Load(settings.ConfigPath);
        var storage = settings.Storage(config);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls(settings.Urls);
        // One text line per event for a terminal, or one JSON object per line (properties under "State") for a log shipper.
        if (settings.JsonLogs)
            builder.Logging.AddJsonConsole(json => { json.UseUtcTimestamp = true; json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ"; });
        else
            builder.Logging.AddSimpleConsole(console => { console.SingleLine = true; console.TimestampFormat = "HH:mm:ss "; });
        // Per-request and scheduler chatter would drown the one line per poll that operators read.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Quartz", LogLevel.Warning);
        // IHttpClientFactory logs four lines per request at Information: 80,000 lines for one ingest of 20,000 sources.
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        // SIGTERM: Kestrel finishes the requests in flight and running polls may finish, for at most this long;
        // a poll still running then is cancelled, its transaction rolled back, and it is redone at the next start.
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = ShutdownTimeout);

        // Time: the system clock appears once, here at the root.
        builder.Services.AddSingleton(TimeProvider.System);
        // The config, reloaded when the file is edited, and the ingest pipeline (fetch → parse → normalize → store).
        builder.Services.AddSingleton(provider => new FeedsConfigMonitor(config, provider.GetRequiredService<TimeProvider>()));
        builder.Services.AddHostedService<ConfigWatcher>();
        builder.Services.AddFeedsCore(settings.DatabasePath, config.Fetching, config.Scheduling, storage);
        // The polls' schedule: one due-queue job over the stored due times on SQLite; one Quartz job per source, shared by the nodes of a cluster, on PostgreSQL.
        builder.Services.AddSourceSchedule(config, storage);
        // Hourly: delete items past their retention, never what a section's first page shows.
        builder.Services.AddRetention();
        // The pages for people, rendered once per change of what they show, like the feeds.
        builder.Services.AddSingleton<CachedPages>();
        // The operator's status pages, rendered once per status snapshot.
        builder.Services.AddSingleton<CachedStatusPages>();
        // A cluster (PostgreSQL): this node's record beside the others', listed on /status, checked by /healthz.
        if (storage.Provider == StorageProvider.Postgres)
            builder.Services.AddClusterMembership();
        // The operator pages (status, metrics, health's details) for operators only; forwarded addresses from trusted proxies only.
        builder.Services.AddOperatorAccess(config.Operators, settings.OperatorToken);
        // Health (readiness includes the store) and metrics.
        builder.Services.AddFeedsHealthChecks();
        builder.Services.AddFeedsMetrics();
        // WebSub: ping the hub when a section changes, once per change on a cluster; scheduled only while a hub is configured.
        builder.Services.AddHostedService<WebSubPingSchedule>();
        // Memory a burst of work left committed goes back once the service is quiet.
        builder.Services.AddHostedService<IdleMemoryTrim>();
        customize?.Invoke(builder);

        var app = builder.Build();
        await MigrateAsync(app.Services);
        // An edit of the fetching settings holds for the next fetches, before the schedule hears of the edit.
        app.Services.GetRequiredService<FetchingSettings>().Follow(app.Services.GetRequiredService<FeedsConfigMonitor>());

        // Who the client is (behind a trusted proxy), and whether it may read the operator pages.
        app.UseOperatorAccess(config.Operators);
        // HTTP: the section feeds, search and its feeds, the pages for people, the stories, health.
        app.MapSectionFeeds();
        app.MapSearch();
        app.MapPages();
        app.MapStories();
        app.MapHealth();
        app.MapStatus();
        // Metrics: the Feeds meter and the runtime's, as Prometheus text.
        app.MapFeedsMetrics();
        return app;
    }

    private static async Task MigrateAsync(IServiceProvider services)
    {
        try
        {
            // Resolved here: a PostgreSQL store refuses a malformed connection string as it is made.
            await services.GetRequiredService<ISchemaStore>().MigrateAsync(CancellationToken.None);
        }
        catch (DatabaseRefusedException e)
        {
            throw new InvalidOperationException(e.Message, e);
        }
    }
}
