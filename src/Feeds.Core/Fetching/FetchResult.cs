namespace Feeds.Core.Fetching;

/// <summary>The validators a source gave us, sent back on the next poll (RFC 9110 §13.1).</summary>
public sealed record Validators(string? ETag, string? LastModified)
{
    public static readonly Validators None = new(null, null);
}

/// <summary>What a fetch came to. Expected outcomes are values, not exceptions.</summary>
public abstract record FetchResult
{
    /// <summary>A 200 with the body, read in full through the size cap.</summary>
    public sealed record Fetched(ReadOnlyMemory<byte> Body, string? ContentType, Validators Validators, int StatusCode) : FetchResult
    {
        /// <summary>
        /// Bodies of this size and more are large (a news feed is typically 20–500 KB): read into an array of their own,
        /// not the pool's (<see cref="CappedBody"/>), and parsed one at a time (<see cref="Refreshing.IngestGate"/>).
        /// </summary>
        public const int LargeBodyBytes = 1024 * 1024;

        /// <summary>
        /// The pooled array under <see cref="Body"/>, or null when the body is an array of its own. The fetcher gives it
        /// back to the pool once the answer's user is done with it (<see cref="FeedFetcher.FetchAsync{T}"/>).
        /// </summary>
        internal byte[]? RentedArray { get; init; }

        /// <inheritdoc cref="NotModified.MovedPermanentlyTo"/>
        public Uri? MovedPermanentlyTo { get; init; }

        /// <summary><c>Cache-Control: max-age</c>: the source asks not to be asked again sooner (RFC 9111 §5.2.2.1).</summary>
        public TimeSpan? MaxAge { get; init; }
    }

    /// <summary>304: the source has nothing new; the stored items stand.</summary>
    public sealed record NotModified(Validators Validators) : FetchResult
    {
        /// <summary>Where the leading 301/308 hops of this fetch point: the source's new address, if it stays.</summary>
        public Uri? MovedPermanentlyTo { get; init; }

        /// <inheritdoc cref="Fetched.MaxAge"/>
        public TimeSpan? MaxAge { get; init; }
    }

    /// <summary>
    /// The fetch failed; <see cref="RetryAfter"/> is the delay the source asked for, if any, as asked (zero or less for a
    /// date already past, <see cref="TimeSpan.MaxValue"/> for more than a TimeSpan holds): capping it is the schedule's call.
    /// </summary>
    public sealed record Failed(FetchFailure Category, string Reason, int? StatusCode = null, TimeSpan? RetryAfter = null) : FetchResult;
}

/// <summary>Why a fetch failed, as shown on the source's status and in logs.</summary>
public enum FetchFailure
{
    /// <summary>No connection: DNS, refused, reset.</summary>
    Network,

    /// <summary>The connect timeout or the total deadline passed.</summary>
    Timeout,

    /// <summary>The body passed the cap (after decompression).</summary>
    TooLarge,

    /// <summary>The host resolved only to addresses the private-network guard refuses.</summary>
    BlockedAddress,

    /// <summary>A URL (or a redirect to one) that is not <c>http</c> or <c>https</c>.</summary>
    BadScheme,

    /// <summary>A redirect back to a URL already visited, or more hops than allowed.</summary>
    RedirectLoop,

    /// <summary>The TLS handshake failed (certificate, protocol).</summary>
    Tls,

    HttpStatus,

    /// <summary>429 or 503: the source asks us to slow down.</summary>
    RateLimited,

    /// <summary>410: the publisher removed the feed.</summary>
    Gone,

    FileMissing,
}
