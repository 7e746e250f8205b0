using Feeds.Core.Metrics;
using Feeds.Core.Publishing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Feeds.Service.Endpoints;

/// <summary>
/// The section feeds readers subscribe to: <c>/sections/{id}/rss</c>, <c>/atom</c> and <c>/json</c>, paged with
/// <c>?before=</c> and <c>?after=</c> cursors (RFC 5005), cached and compressed once per change.
/// </summary>
internal static class SectionFeedsApi
{
    public static IEndpointRouteBuilder MapSectionFeeds(this IEndpointRouteBuilder app)
    {
        var sections = app.MapGroup("/sections/{id}");
        foreach (var format in Enum.GetValues<OutputFormat>())
        {
            sections.MapMethods("/" + SectionLinks.FormatSegment(format), [HttpMethods.Get, HttpMethods.Head],
                (string id, string? before, string? after, HttpContext context, FeedsConfigMonitor configs, SectionFeeds feeds, CancellationToken cancellationToken)
                    => GetFeedAsync(id, format, before, after, context, configs.Current, feeds, cancellationToken))
                .WithRenderFaultWall();
        }
        return app;
    }

    private static async Task<Results<FileContentHttpResult, StatusCodeHttpResult, NotFound<string>, BadRequest<string>>> GetFeedAsync(
        string id, OutputFormat format, string? before, string? after, HttpContext context, FeedsConfig config, SectionFeeds feeds, CancellationToken cancellationToken)
    {
        if (config.FindSection(id) is not { } section)
            return TypedResults.NotFound($"no section \"{id}\"");
        if (!TryReadCursor(before, after, out var cursor))
            return TypedResults.BadRequest("a page cursor is ?before=MS.ID or ?after=MS.ID, as given in the feed's next/previous links");
        var links = new SectionLinks(PublicBase(context.Request, config), section.Id);
        var feed = await feeds.GetAsync(config, section, format, cursor, links.BaseUri, cancellationToken);
        var coding = NegotiateCoding(context.Request);
        var representation = feed[coding];

        var response = context.Response;
        var headers = response.GetTypedHeaders();
        headers.ETag = EntityTagHeaderValue.Parse(representation.ETag);
        headers.LastModified = feed.LastModified;
        response.Headers.CacheControl = $"public, max-age={(int)config.Publishing.MaxAge.TotalSeconds}";
        response.Headers.Vary = HeaderNames.AcceptEncoding;
        if (config.Publishing.Hub is { } hub)
        {
            // WebSub §4: discovery through the Link header as well as in the feed.
            response.Headers.Link = $"<{hub.AbsoluteUri}>; rel=\"hub\", <{links.Feed(format, cursor).AbsoluteUri}>; rel=\"self\"";
        }
        var segment = SectionLinks.FormatSegment(format);
        if (IsNotModified(context.Request, representation.ETag, feed.LastModified))
        {
            FeedsMetrics.RecordFeedRequest(segment, StatusCodes.Status304NotModified);
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }
        FeedsMetrics.RecordFeedRequest(segment, StatusCodes.Status200OK);
        if (coding != ContentCoding.Identity)
            response.Headers.ContentEncoding = coding == ContentCoding.Brotli ? "br" : "gzip";
        return TypedResults.Bytes(representation.Body, feed.ContentType);
    }

    /// <summary>If-None-Match takes precedence over If-Modified-Since (RFC 9110 §13.2.2); ETags compare weakly for GET (§13.1.2).</summary>
    private static bool IsNotModified(HttpRequest request, string etag, DateTimeOffset lastModified)
    {
        var headers = request.GetTypedHeaders();
        if (headers.IfNoneMatch.Count > 0)
        {
            var current = EntityTagHeaderValue.Parse(etag);
            return headers.IfNoneMatch.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(current, useStrongComparison: false));
        }
        return headers.IfModifiedSince is { } since && lastModified <= since.AddSeconds(1);
    }

    /// <summary>Brotli, then gzip, then identity, as the client's Accept-Encoding allows (RFC 9110 §12.5.3).</summary>
    internal static ContentCoding NegotiateCoding(HttpRequest request)
    {
        var accepted = request.GetTypedHeaders().AcceptEncoding;
        bool Accepts(string coding) => accepted.Any(a =>
            (a.Value.Equals(coding, StringComparison.OrdinalIgnoreCase) || a.Value == "*") && (a.Quality ?? 1) > 0)
            && !accepted.Any(a => a.Value.Equals(coding, StringComparison.OrdinalIgnoreCase) && a.Quality == 0);
        if (Accepts("br"))
            return ContentCoding.Brotli;
        return Accepts("gzip") ? ContentCoding.Gzip : ContentCoding.Identity;
    }

    private static bool TryReadCursor(string? before, string? after, out ItemCursor cursor)
    {
        cursor = ItemCursor.Newest;
        return (before, after) switch
        {
            (null, null) => true,
            ({ } token, null) => ItemCursor.TryParse(token, PageDirection.Older, out cursor),
            (null, { } token) => ItemCursor.TryParse(token, PageDirection.Newer, out cursor),
            _ => false,
        };
    }

    /// <summary>The base URL links in our output start with: the configured public address, else as the reader reached us.</summary>
    public static Uri PublicBase(HttpRequest request, FeedsConfig config) =>
        config.Publishing.BaseUrl ?? new Uri($"{request.Scheme}://{request.Host}{request.PathBase}/");
}
