using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Feeds.Core.Storage.Sqlite;

/// <summary>
/// Registers the SQLite store: each contract (<see cref="IPollStore"/>, <see cref="IPublishingStore"/>, <see cref="ISearchStore"/>, <see cref="IStatusStore"/>, <see cref="IActivityStore"/>, <see cref="IScheduleStore"/>,
/// <see cref="IRetentionStore"/>, <see cref="IBackupStore"/>, <see cref="ISchemaStore"/>) as its own small implementation
/// over one shared database. Code outside Storage takes the contract it needs and never names the implementation.
/// </summary>
public static class SqliteStoreServices
{
    /// <summary>The store in one SQLite file at <paramref name="databasePath"/>. Needs a <see cref="TimeProvider"/>.</summary>
    public static IServiceCollection AddSqliteStore(this IServiceCollection services, string databasePath,
        CommitDurability durability = CommitDurability.Full)
    {
        services.AddSingleton(_ => new SqliteDatabase(databasePath, durability));
        services.AddSingleton(provider => new WriteFaults(provider.GetRequiredService<SqliteDatabase>().DatabasePath,
            provider.GetRequiredService<TimeProvider>(), provider.GetService<ILogger<WriteFaults>>() ?? NullLogger<WriteFaults>.Instance));
        services.AddSingleton<DbStoryIndex, SqliteStoryIndex>();
        services.AddSingleton<IPollStore, SqlitePollStore>();
        services.AddSingleton<IPublishingStore, SqlitePublishingStore>();
        services.AddSingleton<ISearchStore, SqliteSearchStore>();
        services.AddSingleton<IStatusStore, SqliteStatusStore>();
        services.AddSingleton<IActivityStore, SqliteActivityStore>();
        services.AddSingleton<IScheduleStore, SqliteScheduleStore>();
        services.AddSingleton<IRetentionStore, SqliteRetentionStore>();
        services.AddSingleton<IBackupStore, SqliteBackupStore>();
        services.AddSingleton<ISchemaStore, SqliteSchemaStore>();
        return services;
    }
}
