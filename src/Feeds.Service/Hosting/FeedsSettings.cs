namespace Feeds.Service.Hosting;

/// <summary>Where the service finds its config and database and where it listens. Flags win over environment variables, which win over defaults.</summary>
public sealed record FeedsSettings(string ConfigPath, string DatabasePath, string Urls)
{
    public const string DefaultConfigPath = "config/feeds.json";
    public const string DefaultDatabasePath = "data/feeds.db";
    public const string DefaultUrls = "http://127.0.0.1:5080";

    public static FeedsSettings Resolve(string? config, string? database, string? urls) => new(
        config ?? Environment.GetEnvironmentVariable("FEEDS_CONFIG") ?? DefaultConfigPath,
        database ?? Environment.GetEnvironmentVariable("FEEDS_DB") ?? DefaultDatabasePath,
        urls ?? Environment.GetEnvironmentVariable("FEEDS_URLS") ?? DefaultUrls);
}
