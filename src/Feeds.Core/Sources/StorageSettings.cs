namespace Feeds.Core.Sources;

/// <summary>Which store holds the items and the sources' state.</summary>
public enum StorageProvider
{
    /// <summary>One SQLite file on this machine (its path from <c>--db</c> or <c>FEEDS_DB</c>): the embedded default.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database, named by a connection string; several processes may share it.</summary>
    Postgres,
}

/// <summary>
/// The store (the <c>storage</c> object of the config, over which the environment and the command line may set either
/// part): its provider and, for PostgreSQL, the connection string.
/// </summary>
public sealed record StorageSettings(StorageProvider Provider = StorageProvider.Sqlite, string? ConnectionString = null)
{
    public static StorageSettings Postgres(string connectionString) => new(StorageProvider.Postgres, connectionString);
}

/// <summary>The names a provider goes by in the config, the environment and on the command line.</summary>
public static class StorageProviders
{
    public const string Names = "sqlite or postgres";

    /// <summary>"sqlite" or "postgres", in any case.</summary>
    public static bool TryParse(string? text, out StorageProvider provider)
    {
        (var known, provider) = text?.Trim().ToLowerInvariant() switch
        {
            "sqlite" => (true, StorageProvider.Sqlite),
            "postgres" => (true, StorageProvider.Postgres),
            _ => (false, StorageProvider.Sqlite),
        };
        return known;
    }
}
