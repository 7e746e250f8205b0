using System.Net;
using Feeds.Core.Fetching;
using Feeds.Core.Normalization;
using Feeds.Core.Publishing;
using Feeds.Core.Refreshing;
using Feeds.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Feeds.Core;

/// <summary>Registers the ingest pipeline and the store; the host adds scheduling and HTTP on top.</summary>
public static class FeedsCoreServices
{
    public static IServiceCollection AddFeedsCore(this IServiceCollection services, string databasePath, FetchOptions? fetchOptions = null)
    {
        var fetch = fetchOptions ?? new FetchOptions();
        services.AddSingleton(fetch);
        services.AddHttpClient(FeedFetcher.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AutomaticDecompression = DecompressionMethods.All,
                ConnectTimeout = fetch.ConnectTimeout,
                AllowAutoRedirect = true,
                MaxAutomaticRedirections = 5,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            });
        services.AddSingleton<FeedFetcher>();
        services.AddSingleton<HtmlCleaner>();
        services.AddSingleton<FeedNormalizer>();
        services.AddSingleton(provider => new SqliteFeedStore(databasePath, provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IFeedStore>(provider => provider.GetRequiredService<SqliteFeedStore>());
        services.AddSingleton<SourceRefresher>();
        services.AddSingleton<SectionPages>();
        services.AddSingleton<SectionFeeds>();
        services.AddHttpClient(WebSubHub.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<WebSubHub>();
        return services;
    }
}
