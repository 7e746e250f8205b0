using Feeds.Core.Sources;

namespace Feeds.Service.Hosting;

/// <summary>Where the service finds its config and database and where it listens. Flags win over environment variables, which win over defaults.</summary>
public sealed record FeedsSettings(string ConfigPath, string DatabasePath, string Urls)
{
    public const string DefaultConfigPath = "config/feeds.json";
    public const string DefaultDatabasePath = "data/feeds.db";
    public const string DefaultUrls = "http://127.0.0.1:5080";

    /// <summary>Log one JSON object per line (for a log shipper) instead of text lines: <c>--log-format json</c> or <c>FEEDS_LOG_FORMAT=json</c>.</summary>
    public bool JsonLogs { get; init; }

    /// <summary>The store's provider as the command line or the environment gives it, and where it was given; null leaves it to the config file.</summary>
    public Given? StoreProvider { get; init; }

    /// <summary>The PostgreSQL connection string as the command line or the environment gives it, and where; null leaves it to the config file.</summary>
    public Given? ConnectionString { get; init; }

    /// <summary>The operator token from the environment (<c>FEEDS_OPERATORS__TOKEN</c>), over the config file's <c>operators.token</c>; null leaves it to the file.</summary>
    public string? OperatorToken { get; init; }

    /// <summary>A setting's text and where it came from (a flag or an environment variable), for the error that names it.</summary>
    public sealed record Given(string Value, string Origin);

    /// <param name="environment">Reads an environment variable; the process's environment unless a test gives its own.</param>
    public static FeedsSettings Resolve(string? config, string? database, string? urls, string? logFormat = null, string? store = null, string? connection = null,
        Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        // FEEDS_POSTGRES=<connection string> is short for provider postgres with that connection string.
        var postgres = environment("FEEDS_POSTGRES") is { Length: > 0 } shorthand ? shorthand : null;
        return new FeedsSettings(
            config ?? environment("FEEDS_CONFIG") ?? DefaultConfigPath,
            database ?? environment("FEEDS_DB") ?? DefaultDatabasePath,
            urls ?? environment("FEEDS_URLS") ?? DefaultUrls)
        {
            JsonLogs = string.Equals(logFormat ?? environment("FEEDS_LOG_FORMAT"), "json", StringComparison.OrdinalIgnoreCase),
            StoreProvider = First(("--store", store), ("FEEDS_STORAGE__PROVIDER", environment("FEEDS_STORAGE__PROVIDER")),
                ("FEEDS_POSTGRES", postgres is null ? null : "postgres")),
            ConnectionString = First(("--connection", connection), ("FEEDS_STORAGE__CONNECTIONSTRING", environment("FEEDS_STORAGE__CONNECTIONSTRING")),
                ("FEEDS_POSTGRES", postgres)),
            OperatorToken = environment("FEEDS_OPERATORS__TOKEN") is { Length: > 0 } token ? token.Trim() : null,
        };
    }

    /// <summary>
    /// The store: each part from the command line, else the environment, else the config file's <c>storage</c> object, else
    /// SQLite at <see cref="DatabasePath"/>.
    /// </summary>
    /// <exception cref="InvalidConfigException">An unknown provider, or PostgreSQL without a connection string; says where each part came from.</exception>
    public StorageSettings Storage(FeedsConfig? config)
    {
        var file = config?.FilePath ?? ConfigPath;
        var provider = config?.Storage?.Provider ?? Core.Sources.StorageProvider.Sqlite;
        if (StoreProvider is { } given && !StorageProviders.TryParse(given.Value, out provider))
            throw Problem(given.Origin, $"\"{given.Value}\" is not a store; use {StorageProviders.Names}");
        if (provider == Core.Sources.StorageProvider.Sqlite)
        {
            // A connection string in the environment is left unused by a store chosen over it; one on the same command line is a mistake.
            if (ConnectionString is { Origin: "--connection" })
                throw Problem("--connection", "a connection string is for PostgreSQL; add --store postgres (SQLite's file is --db)");
            return new StorageSettings();
        }
        var connection = ConnectionString?.Value ?? config?.Storage?.ConnectionString;
        if (string.IsNullOrWhiteSpace(connection))
            throw Problem(StoreProvider?.Origin ?? file,
                "the PostgreSQL store needs a connection string such as \"Host=db.example.com;Database=feeds;Username=feeds;Password=...\": "
                + $"set \"storage\": {{ \"connectionString\": ... }} in {file}, FEEDS_STORAGE__CONNECTIONSTRING or FEEDS_POSTGRES, or pass --connection");
        return StorageSettings.Postgres(connection);
    }

    private static Given? First(params (string Origin, string? Value)[] candidates) =>
        candidates.Where(c => !string.IsNullOrWhiteSpace(c.Value)).Select(c => new Given(c.Value!, c.Origin)).FirstOrDefault();

    private static InvalidConfigException Problem(string where, string message) => new([new ConfigProblem(where, "", message)]);
}
