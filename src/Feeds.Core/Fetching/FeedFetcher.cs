using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Authentication;
using Feeds.Core.Sources;

namespace Feeds.Core.Fetching;

/// <summary>
/// Gets a source's bytes: a conditional GET for <c>http(s)</c> sources, a modification-time check for
/// local files. Redirects are followed here, not by the handler, so every hop is checked (scheme, loop,
/// throttle; the address in <see cref="NetworkGuard"/>). Never throws for what a source does; every
/// outcome is a <see cref="FetchResult"/>.
/// </summary>
public sealed class FeedFetcher(IHttpClientFactory httpClientFactory, FetchThrottle throttle, NetworkGuard guard, FetchingSettings settings, TimeProvider clock)
{
    public const string HttpClientName = "feeds-fetcher";

    private const string Accept = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5";

    /// <summary>Fetches; the answer's body, if any, is an array of its own, kept as long as the caller likes.</summary>
    public Task<FetchResult> FetchAsync(SourceLocation location, Validators previous, CancellationToken cancellationToken) =>
        FetchAsync(location, previous, answer => Task.FromResult(answer is FetchResult.Fetched { RentedArray: not null } fetched
            ? fetched with { Body = fetched.Body.ToArray(), RentedArray = null }
            : answer), cancellationToken);

    /// <summary>
    /// Fetches, and hands the answer to <paramref name="use"/> while this fetch still counts against
    /// <see cref="FetchOptions.MaxConcurrency"/> (the host's slot is already given back). The body is valid only until
    /// <paramref name="use"/> is done: most bodies are read into pooled arrays (<see cref="CappedBody"/>), given back here.
    /// </summary>
    public async Task<T> FetchAsync<T>(SourceLocation location, Validators previous, Func<FetchResult, Task<T>> use, CancellationToken cancellationToken)
    {
        // One set of limits for the whole fetch, whatever an edit of the config puts in force meanwhile.
        var options = settings.Fetch;
        if (location.Url is not { } url)
            return await use(FetchFile(location.FilePath!, previous, options));
        var (result, globalSlot) = await FetchHttpAsync(url, previous, options, cancellationToken);
        try
        {
            using (globalSlot)
                return await use(result);
        }
        finally
        {
            if (result is FetchResult.Fetched { RentedArray: { } rented })
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private async Task<(FetchResult Result, IDisposable? GlobalSlot)> FetchHttpAsync(Uri url, Validators previous, FetchOptions options, CancellationToken cancellationToken)
    {
        var client = httpClientFactory.CreateClient(HttpClientName);
        var visited = new HashSet<string>(StringComparer.Ordinal);
        Uri? movedPermanentlyTo = null;
        var onlyPermanentHops = true;
        var current = url;
        // The deadline measures this source's own exchange: the time its requests and bodies are on the wire, summed
        // over the hops. Waiting for a politeness slot (a busy host, the global cap, the spacing before a hop) is not
        // the source's slowness and never counts, or every source of a busy host would time out in the queue.
        var exchange = TimeSpan.Zero;
        var (deadline, shortened) = throttle.DeadlineFor(url.IdnHost);
        FetchThrottle.Lease? lease = null;
        try
        {
            for (var hop = 0; ; hop++)
            {
                if (current.Scheme != Uri.UriSchemeHttp && current.Scheme != Uri.UriSchemeHttps)
                    return (new FetchResult.Failed(FetchFailure.BadScheme, $"{current} is not an http(s) URL; only http and https are fetched"), null);
                if (!visited.Add(current.GetLeftPart(UriPartial.Query)))
                    return (new FetchResult.Failed(FetchFailure.RedirectLoop, $"redirect loop: {current} was already visited"), null);

                lease = await HostSlotForAsync(lease, current, cancellationToken);
                if (throttle.DeadlineFor(lease.Host) is { Shortened: true } slowHost && slowHost.Deadline < deadline)
                    (deadline, shortened) = slowHost;
                var remaining = deadline - exchange;
                if (remaining <= TimeSpan.Zero)
                    return (TimedOut(lease, deadline, shortened), null);

                using var hopDeadline = new CancellationTokenSource(remaining, clock);
                using var hopToken = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, hopDeadline.Token);
                var started = clock.GetTimestamp();
                try
                {
                    if (await guard.RecheckAsync(current.IdnHost, hopToken.Token) is { } refused)
                        return (new FetchResult.Failed(FetchFailure.BlockedAddress, refused.Message), null);
                    using var request = CreateRequest(current, previous, options.UserAgent);
                    using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, hopToken.Token);

                    if (RedirectTarget(current, response) is not { } next)
                    {
                        var result = await ReadResponseAsync(response, previous, options.MaxBodyBytes, hopToken.Token);
                        var answer = result switch
                        {
                            FetchResult.Fetched fetched => fetched with { MovedPermanentlyTo = movedPermanentlyTo },
                            FetchResult.NotModified notModified => notModified with { MovedPermanentlyTo = movedPermanentlyTo },
                            _ => result,
                        };
                        // The lease is done with; disposing it again below is a no-op.
                        return (answer, lease.HandOverGlobalSlot());
                    }
                    if (hop == options.MaxRedirects)
                        return (new FetchResult.Failed(FetchFailure.RedirectLoop,
                            $"too many redirects: more than {options.MaxRedirects}, the last to {next}", (int)response.StatusCode), null);
                    // Only a chain of permanent redirects from the configured URL moves the source (RFC 9110 §15.4.2,
                    // §15.4.9); a temporary hop anywhere before means the publisher wants the old URL kept.
                    onlyPermanentHops &= response.StatusCode is HttpStatusCode.MovedPermanently or HttpStatusCode.PermanentRedirect;
                    if (onlyPermanentHops)
                        movedPermanentlyTo = next;
                    current = next;
                }
                catch (OperationCanceledException) when (hopDeadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    return (TimedOut(lease, deadline, shortened), null);
                }
                finally
                {
                    exchange += clock.GetElapsedTime(started);
                }
            }
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // Not our deadline and not the caller: the handler's own connect timeout surfaces this way.
            return (new FetchResult.Failed(FetchFailure.Timeout, e.InnerException is TimeoutException
                ? $"no connection within {options.ConnectTimeout.TotalSeconds:0} s"
                : $"the request was cancelled: {e.Message}"), null);
        }
        catch (HttpRequestException e)
        {
            return (Categorize(e), null);
        }
        catch (IOException e)
        {
            // The connection broke while the body was streaming.
            return (new FetchResult.Failed(FetchFailure.Network, $"the connection broke while reading the body: {e.Message}"), null);
        }
        catch (InvalidDataException e)
        {
            return (new FetchResult.Failed(FetchFailure.Network, $"the compressed body is corrupt: {e.Message}"), null);
        }
        finally
        {
            lease?.Dispose();
        }
    }

    /// <summary>
    /// The host slot for the next request: a hop to the host already held continues in its slot (after the host's
    /// spacing); a hop to another host gives the slot back before queueing for the other's, so no fetch ever
    /// holds two hosts at once.
    /// </summary>
    private async Task<FetchThrottle.Lease> HostSlotForAsync(FetchThrottle.Lease? held, Uri next, CancellationToken cancellationToken)
    {
        if (held is not null && string.Equals(held.Host, next.IdnHost, StringComparison.OrdinalIgnoreCase))
        {
            await held.NextRequestAsync(cancellationToken);
            return held;
        }
        held?.Dispose();
        return await throttle.EnterAsync(next.IdnHost, cancellationToken);
    }

    private FetchResult.Failed TimedOut(FetchThrottle.Lease lease, TimeSpan deadline, bool shortened)
    {
        throttle.RecordTimeout(lease.Host);
        return new FetchResult.Failed(FetchFailure.Timeout, shortened
            ? $"no complete answer within {deadline.TotalSeconds:0} s (a shortened deadline: this host was slow to answer within the last {FetchThrottle.SlowHostMemory.TotalMinutes:0} min)"
            : $"no complete answer within {deadline.TotalSeconds:0} s");
    }

    private static HttpRequestMessage CreateRequest(Uri url, Validators previous, string userAgent)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.UserAgent.ParseAdd(userAgent);
        request.Headers.Accept.ParseAdd(Accept);
        // Send both validators; the server gives If-None-Match precedence (RFC 9110 §13.2.2).
        if (previous.ETag is { } etag && EntityTagHeaderValue.TryParse(etag, out var tag))
            request.Headers.IfNoneMatch.Add(tag);
        if (previous.LastModified is { } lastModified && DateTimeOffset.TryParse(lastModified, out var since))
            request.Headers.IfModifiedSince = since;
        return request;
    }

    /// <summary>The absolute target of a 301, 302, 303, 307 or 308 with a Location; null for any other answer.</summary>
    private static Uri? RedirectTarget(Uri current, HttpResponseMessage response) =>
        (int)response.StatusCode is 301 or 302 or 303 or 307 or 308 && response.Headers.Location is { } location
            ? location.IsAbsoluteUri ? location : new Uri(current, location)
            : null;

    private async Task<FetchResult> ReadResponseAsync(HttpResponseMessage response, Validators previous, long maxBodyBytes, CancellationToken cancellationToken)
    {
        var validators = new Validators(response.Headers.ETag?.ToString() ?? previous.ETag,
            response.Content.Headers.LastModified?.ToString("R") ?? previous.LastModified);
        var maxAge = response.Headers.CacheControl?.MaxAge;
        if (response.StatusCode == HttpStatusCode.NotModified)
            return new FetchResult.NotModified(validators) { MaxAge = maxAge };
        if (!response.IsSuccessStatusCode)
            return Failure(response);
        var body = await ReadCappedAsync(response.Content, maxBodyBytes, cancellationToken);
        return body is null
            ? new FetchResult.Failed(FetchFailure.TooLarge, $"the body is larger than the {maxBodyBytes:N0}-byte limit (counted after decompression)", (int)response.StatusCode)
            : new FetchResult.Fetched(body.Value.Bytes, response.Content.Headers.ContentType?.ToString(), validators, (int)response.StatusCode)
            {
                MaxAge = maxAge,
                RentedArray = body.Value.Rented ? body.Value.Array : null,
            };
    }

    private FetchResult.Failed Failure(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        var retryAfter = RetryAfterOf(response.Headers.NonValidated.TryGetValues("Retry-After", out var values) ? values.ToString() : null, clock.GetUtcNow());
        return response.StatusCode switch
        {
            HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable =>
                new FetchResult.Failed(FetchFailure.RateLimited, $"HTTP {status} {response.ReasonPhrase}", status, retryAfter),
            HttpStatusCode.Gone => new FetchResult.Failed(FetchFailure.Gone, "HTTP 410 Gone: the publisher removed this feed", status),
            HttpStatusCode.MultipleChoices or HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
                or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect =>
                new FetchResult.Failed(FetchFailure.HttpStatus, $"HTTP {status} without a usable Location header", status),
            _ => new FetchResult.Failed(FetchFailure.HttpStatus, $"HTTP {status} {response.ReasonPhrase}", status, retryAfter),
        };
    }

    /// <summary>
    /// The delay a <c>Retry-After</c> asks for: a number of seconds or an HTTP-date (RFC 9110 §10.2.3), as sent. It is
    /// read from the raw header because .NET's typed <see cref="RetryConditionHeaderValue"/> rejects seconds beyond
    /// <see cref="int.MaxValue"/> and the header then reads as absent: <c>Retry-After: 999999999999</c> would be
    /// ignored instead of honoured at the longest wait we allow. A delay too long for a <see cref="TimeSpan"/> comes
    /// back as <see cref="TimeSpan.MaxValue"/>; the schedule caps it. A date in the past comes back as zero or less.
    /// </summary>
    internal static TimeSpan? RetryAfterOf(string? header, DateTimeOffset now)
    {
        var value = header?.Trim();
        if (string.IsNullOrEmpty(value))
            return null;
        if (value.AsSpan().IndexOfAnyExceptInRange('0', '9') < 0)
        {
            var seconds = double.Parse(value, CultureInfo.InvariantCulture);
            return seconds >= TimeSpan.MaxValue.TotalSeconds ? TimeSpan.MaxValue : TimeSpan.FromSeconds(seconds);
        }
        // The three HTTP-date forms (IMF-fixdate, RFC 850, asctime) as .NET's header parser reads them.
        return RetryConditionHeaderValue.TryParse(value, out var parsed) && parsed.Date is { } date ? date - now : null;
    }

    private static FetchResult.Failed Categorize(HttpRequestException e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case BlockedAddressException blocked:
                    return new FetchResult.Failed(FetchFailure.BlockedAddress, blocked.Message);
                case AuthenticationException tls:
                    return new FetchResult.Failed(FetchFailure.Tls, $"TLS handshake failed: {tls.Message}");
                case TimeoutException:
                    return new FetchResult.Failed(FetchFailure.Timeout, "no connection within the connect timeout");
            }
        }
        return e.HttpRequestError == HttpRequestError.SecureConnectionError
            ? new FetchResult.Failed(FetchFailure.Tls, $"TLS failed: {e.Message}")
            : new FetchResult.Failed(FetchFailure.Network, e.InnerException?.Message ?? e.Message);
    }

    /// <summary>
    /// Reads the (decompressed) body, giving up as soon as it passes the cap, before memory grows. With a
    /// Content-Length (the usual uncompressed answer) the body goes straight into one array of that size: one copy
    /// and no buffer. Without one (chunked, or decompressed, whose length the handler cannot know) it is read in
    /// 64 KiB pooled chunks, each under the large-object threshold, and copied once into an array of the body's size,
    /// each chunk going back to the pool as soon as it is copied. The array is rented from the pool for all but large
    /// bodies (<see cref="CappedBody"/>). Either way nothing is doubled or grown and copied
    /// again, as a MemoryStream and its ToArray did (up to three copies of a 15 MiB body).
    /// </summary>
    private static async Task<CappedBody.Body?> ReadCappedAsync(HttpContent content, long maxBodyBytes, CancellationToken cancellationToken)
    {
        var declared = content.Headers.ContentLength;
        if (declared > maxBodyBytes)
            return null;
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var body = new CappedBody(maxBodyBytes);
        try
        {
            return await body.ReadAsync(stream, declared, cancellationToken);
        }
        finally
        {
            body.ReturnChunks();
        }
    }

    /// <summary>Local files: the modification time plays the part of Last-Modified.</summary>
    private static FetchResult FetchFile(string path, Validators previous, FetchOptions options)
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
