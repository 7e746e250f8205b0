using System.Net;
using System.Net.Http.Headers;
using Feeds.Core.Sources;

namespace Feeds.Core.Fetching;

/// <summary>
/// Gets a source's bytes: a conditional GET for <c>http(s)</c> sources, a modification-time check for
/// local files. Never throws for what a source does; every outcome is a <see cref="FetchResult"/>.
/// </summary>
public sealed class FeedFetcher(IHttpClientFactory httpClientFactory, FetchOptions options)
{
    public const string HttpClientName = "feeds-fetcher";

    public Task<FetchResult> FetchAsync(SourceLocation location, Validators previous, CancellationToken cancellationToken) =>
        location.Url is { } url ? FetchHttpAsync(url, previous, cancellationToken) : Task.FromResult(FetchFile(location.FilePath!, previous));

    private async Task<FetchResult> FetchHttpAsync(Uri url, Validators previous, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.UserAgent.ParseAdd(options.UserAgent);
        request.Headers.Accept.ParseAdd("application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5");
        // Send both validators; the server gives ETag precedence (RFC 9110 §13.2.2).
        if (previous.ETag is { } etag && EntityTagHeaderValue.TryParse(etag, out var tag))
            request.Headers.IfNoneMatch.Add(tag);
        if (previous.LastModified is { } lastModified && DateTimeOffset.TryParse(lastModified, out var since))
            request.Headers.IfModifiedSince = since;
        try
        {
            using var response = await httpClientFactory.CreateClient(HttpClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var validators = new Validators(response.Headers.ETag?.ToString() ?? previous.ETag,
                response.Content.Headers.LastModified?.ToString("R") ?? previous.LastModified);
            if (response.StatusCode == HttpStatusCode.NotModified)
                return new FetchResult.NotModified(validators);
            if (!response.IsSuccessStatusCode)
                return Failure(response);
            var body = await ReadCappedAsync(response.Content, deadline.Token);
            return body is null
                ? new FetchResult.Failed(FetchFailure.TooLarge, $"the body is larger than the {options.MaxBodyBytes:N0}-byte limit")
                : new FetchResult.Fetched(body, response.Content.Headers.ContentType?.ToString(), validators, (int)response.StatusCode);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new FetchResult.Failed(FetchFailure.Timeout, $"no complete answer within {options.Timeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException e)
        {
            return new FetchResult.Failed(FetchFailure.Network, e.InnerException?.Message ?? e.Message);
        }
    }

    private static FetchResult.Failed Failure(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        var retryAfter = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => (TimeSpan?)null,
        };
        return response.StatusCode switch
        {
            HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable =>
                new FetchResult.Failed(FetchFailure.RateLimited, $"HTTP {status} {response.ReasonPhrase}", status, retryAfter),
            HttpStatusCode.Gone => new FetchResult.Failed(FetchFailure.Gone, "HTTP 410 Gone: the publisher removed this feed", status),
            _ => new FetchResult.Failed(FetchFailure.HttpStatus, $"HTTP {status} {response.ReasonPhrase}", status, retryAfter),
        };
    }

    /// <summary>Reads the (decompressed) body, giving up as soon as it passes the cap, before memory grows.</summary>
    private async Task<byte[]?> ReadCappedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > options.MaxBodyBytes)
            return null;
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > options.MaxBodyBytes)
                return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>Local files: the modification time plays the part of Last-Modified.</summary>
    private FetchResult FetchFile(string path, Validators previous)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
                return new FetchResult.Failed(FetchFailure.FileMissing, $"no such file: {path}");
            if (info.Length > options.MaxBodyBytes)
                return new FetchResult.Failed(FetchFailure.TooLarge, $"the file is larger than the {options.MaxBodyBytes:N0}-byte limit");
            var validators = new Validators(null, new DateTimeOffset(info.LastWriteTimeUtc).ToString("O"));
            return validators == previous
                ? new FetchResult.NotModified(validators)
                : new FetchResult.Fetched(File.ReadAllBytes(path), null, validators, 200);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new FetchResult.Failed(FetchFailure.FileMissing, $"cannot read {path}: {e.Message}");
        }
    }
}
