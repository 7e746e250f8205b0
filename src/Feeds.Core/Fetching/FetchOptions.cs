namespace Feeds.Core.Fetching;

/// <summary>Limits every fetch obeys.</summary>
public sealed class FetchOptions
{
    /// <summary>The most body bytes read from a source (after decompression).</summary>
    public long MaxBodyBytes { get; set; } = 15 * 1024 * 1024;

    /// <summary>One deadline for headers and body together, so a slow-drip source ends on time.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public string UserAgent { get; set; } = "Feeds/0.1 (news feed aggregator; +https://feeds.example/bot)";
}
