namespace Feeds.Service.Hosting;

/// <summary>Where the service finds its config and database and where it listens. Flags win over environment variables, which win over defaults.</summary>
public sealed record FeedsSettings(string ConfigPath, string DatabasePath, string Urls)
{
    public const string DefaultConfigPath = "config/feeds.json";
    public const string DefaultDatabasePath = "data/feeds.db";
    public const string DefaultUrls = "http://127.0.0.1:5080";

    /// <summary>Log one JSON object per line (for a log shipper) instead of text lines: <c>--log-format json</c> or <c>FEEDS_LOG_FORMAT=json</c>.</summary>
    public bool JsonLogs { get; init; }

    public static FeedsSettings Resolve(string? config, string? database, string? urls, string? logFormat = null) => new(
        config ?? Environment.GetEnvironmentVariable("FEEDS_CONFIG") ?? DefaultConfigPath,
        database ?? Environment.GetEnvironmentVariable("FEEDS_DB") ?? DefaultDatabasePath,
        urls ?? Environment.GetEnvironmentVariable("FEEDS_URLS") ?? DefaultUrls)
    {
        JsonLogs = string.Equals(logFormat ?? Environment.GetEnvironmentVariable("FEEDS_LOG_FORMAT"), "json", StringComparison.OrdinalIgnoreCase),
    };
}
