using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Feeds.Core.Storage.Postgres;

/// <summary>
/// Registers the PostgreSQL store: each contract as its own small implementation over one shared
/// <see cref="PostgresDatabase"/>, as <c>SqliteStoreServices</c> does for SQLite. Code outside Storage takes the contract it
/// needs and never names the implementation.
/// </summary>
public static class PostgresStoreServices
{
    /// <summary>The store in the PostgreSQL database <paramref name="connectionString"/> names (it must exist). Needs a <see cref="TimeProvider"/>.</summary>
    public static IServiceCollection AddPostgresStore(this IServiceCollection services, string connectionString)
    {
        services.AddSingleton(_ => new PostgresDatabase(connectionString));
        services.AddSingleton(provider => new WriteFaults(provider.GetRequiredService<PostgresDatabase>().Description,
            provider.GetRequiredService<TimeProvider>(), provider.GetService<ILogger<WriteFaults>>() ?? NullLogger<WriteFaults>.Instance));
        services.AddSingleton<DbStoryIndex, PostgresStoryIndex>();
        services.AddSingleton<IPollStore, PostgresPollStore>();
        services.AddSingleton<IPublishingStore, PostgresPublishingStore>();
        services.AddSingleton<ISearchStore, PostgresSearchStore>();
        services.AddSingleton<IStatusStore, PostgresStatusStore>();
        services.AddSingleton<IActivityStore, PostgresActivityStore>();
        // Writes side by side: the shared queries as they are.
        services.AddSingleton<IScheduleStore>(provider => new DbScheduleStore(provider.GetRequiredService<PostgresDatabase>()));
        services.AddSingleton<IRetentionStore, PostgresRetentionStore>();
        services.AddSingleton<IBackupStore, PostgresBackupStore>();
        services.AddSingleton<ISchemaStore, PostgresSchemaStore>();
        services.AddSingleton<INodeRegistry, PostgresNodeRegistry>();
        return services;
    }
}
