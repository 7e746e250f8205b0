using System.Net;

namespace Feeds.Core.Sources;

/// <summary>Limits and manners every fetch obeys; set from the optional <c>fetching</c> object of <c>feeds.json</c>.</summary>
public sealed record FetchOptions
{
    public const long DefaultMaxBodyBytes = 15 * 1024 * 1024;

    /// <summary>The most body bytes read from a source, counted after decompression so a gzip bomb stops at the cap.</summary>
    public long MaxBodyBytes { get; init; } = DefaultMaxBodyBytes;

    /// <summary>
    /// One deadline for every hop's requests and bodies together, so a slow-drip source ends on time. It counts the
    /// source's own exchange only, never its waits for a politeness slot; a host that timed out recently gets a
    /// shorter one (<c>FetchThrottle.SlowHostDeadlineShare</c>).
    /// </summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Redirects followed before giving up; each hop is checked like the first request.</summary>
    public int MaxRedirects { get; init; } = 5;

    /// <summary>Requests in flight to one host at once.</summary>
    public int PerHostConcurrency { get; init; } = 1;

    /// <summary>The least time between the starts of two requests to one host.</summary>
    public TimeSpan MinHostSpacing { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Fetches in flight across all hosts at once, each counted until its answer has been parsed and saved.</summary>
    public int MaxConcurrency { get; init; } = 8;

    /// <summary>
    /// Private, loopback and other non-public ranges the operator opens on purpose (e.g. <c>127.0.0.1/32</c>
    /// for a feed served on this machine). Everything else that is not public is refused.
    /// </summary>
    public IReadOnlyList<IPNetwork> AllowedPrivateNetworks { get; init; } = [];

    public string UserAgent { get; init; } = "Feeds/0.1 (news feed aggregator; +https://feeds.example/bot)";
}
