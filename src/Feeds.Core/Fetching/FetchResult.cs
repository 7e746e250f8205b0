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
    public sealed record Fetched(byte[] Body, string? ContentType, Validators Validators, int StatusCode) : FetchResult;

    /// <summary>304: the source has nothing new; the stored items stand.</summary>
    public sealed record NotModified(Validators Validators) : FetchResult;

    /// <summary>The fetch failed; <see cref="RetryAfter"/> is the delay the source asked for, if any.</summary>
    public sealed record Failed(FetchFailure Category, string Reason, int? StatusCode = null, TimeSpan? RetryAfter = null) : FetchResult;
}

/// <summary>Why a fetch failed, as shown on the source's status.</summary>
public enum FetchFailure
{
    Network,
    Timeout,
    TooLarge,
    HttpStatus,
    RateLimited,
    Gone,
    FileMissing,
}
