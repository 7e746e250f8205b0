using System.Net;
using Feeds.Core.Fetching;
using Feeds.Core.Normalization;
using Feeds.Core.Publishing;
using Feeds.Core.Refreshing;
using Feeds.Core.Sources;
using Feeds.Core.Status;
using Feeds.Core.Storage;
using Feeds.Core.Storage.Postgres;
using Feeds.Core.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Feeds.Core.Composition;

/// <summary>
/// Registers the ingest pipeline and the store; the host adds scheduling and HTTP on top. The one place in the core
/// that names every stage, and named by none of them. It stays in the core rather than in the service's hosting
/// because the tests and the benchmarks build the pipeline without the web host, and because the store
/// implementations it picks need not be visible outside the core.
/// </summary>
public static class FeedsCoreServices
{
    /// <summary>
    /// The store alone, for the commands and tests that need nothing else: its contracts over SQLite at
    /// <paramref name="databasePath"/>, the embedded default. Needs a <see cref="TimeProvider"/>.
    /// </summary>
    public static IServiceCollection AddFeedsStore(this IServiceCollection services, string databasePath,
        CommitDurability durability = CommitDurability.Full) =>
        services.AddSqliteStore(databasePath, durability);

    /// <summary>
    /// The store <paramref name="storage"/> picks: SQLite at <paramref name="databasePath"/>, or the PostgreSQL database its
    /// connection string names. Needs a <see cref="TimeProvider"/>.
    /// </summary>
    public static IServiceCollection AddFeedsStore(this IServiceCollection services, StorageSettings storage, string databasePath) =>
        storage.Provider switch
        {
            StorageProvider.Postgres => services.AddPostgresStore(storage.ConnectionString
                ?? throw new ArgumentException("a PostgreSQL store needs a connection string", nameof(storage))),
            _ => services.AddSqliteStore(databasePath),
        };

    /// <param name="storage">The store; null for SQLite at <paramref name="databasePath"/>.</param>
    public static IServiceCollection AddFeedsCore(this IServiceCollection services, string databasePath,
        FetchOptions? fetchOptions = null, ScheduleOptions? scheduleOptions = null, StorageSettings? storage = null)
    {
        // The fetching settings in force: a valid edit of the config swaps them for the next fetches (FeedsApp wires the swap).
        var settings = new FetchingSettings(fetchOptions ?? new FetchOptions(), scheduleOptions ?? new ScheduleOptions());
        services.AddSingleton(settings);
        services.AddSingleton<NetworkGuard>();
        services.AddHttpClient(FeedFetcher.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(provider => new SocketsHttpHandler
            {
                AutomaticDecompression = DecompressionMethods.All,
                // Every address is checked after DNS, on every hop, before a socket is opened, and the connect timeout
                // in force is kept there too: a handler lives for minutes and would keep the one it was made with.
                ConnectTimeout = Timeout.InfiniteTimeSpan,
                ConnectCallback = provider.GetRequiredService<NetworkGuard>().ConnectAsync,
                // The fetcher follows redirects itself so that it can check each hop.
                AllowAutoRedirect = false,
                UseCookies = false,
                // A proxy would open connections on our behalf, out of the guard's sight.
                UseProxy = false,
                PooledConnectionLifetime = NetworkGuard.PooledConnectionLifetime,
            })
            // The fetcher keeps its own deadline; the client's would cut a slow but in-time body short.
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<FetchThrottle>();
        services.AddSingleton<FeedFetcher>();
        services.AddSingleton<HtmlCleaner>();
        services.AddSingleton<FeedNormalizer>();
        services.AddFeedsStore(storage ?? new StorageSettings(), databasePath);
        services.AddSingleton<OutageDetector>();
        services.AddSingleton<IngestGate>();
        // The chance in the schedule, like the clock, comes from the container so tests can fix it.
        services.AddSingleton(Jitter.Random);
        services.AddSingleton<SourceRefresher>();
        services.AddSingleton<SectionPages>();
        services.AddSingleton<StoryPages>();
        services.AddSingleton<RenderFaults>();
        services.AddSingleton<ContentVersions>();
        services.AddSingleton<RenderCache>();
        services.AddSingleton<SectionFeeds>();
        services.AddSingleton<StoryFeeds>();
        services.AddSingleton<DayActivity>();
        services.AddSingleton<RelatedItems>();
        services.AddSingleton<SearchFeeds>();
        services.AddSingleton<StatusReporter>();
        services.AddSingleton(StatusLifetime.Default);
        services.AddSingleton<StatusViews>();
        services.AddHttpClient(WebSubHub.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<WebSubHub>();
        return services;
    }
}
