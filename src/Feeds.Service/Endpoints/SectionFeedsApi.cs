using Feeds.Core.Publishing;
using Feeds.Core.Sources;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Feeds.Service.Endpoints;

/// <summary>The section feeds readers subscribe to: <c>/sections/{id}/rss</c> and <c>/sections/{id}/atom</c>.</summary>
internal static class SectionFeedsApi
{
    /// <summary>Readers poll often; five minutes of freshness costs them little and saves us most requests.</summary>
    private const string CacheControl = "public, max-age=300";

    public static IEndpointRouteBuilder MapSectionFeeds(this IEndpointRouteBuilder app)
    {
        var sections = app.MapGroup("/sections/{id}");
        sections.MapMethods("/rss", [HttpMethods.Get, HttpMethods.Head], (string id, HttpContext context, FeedsConfig config, SectionFeeds feeds, CancellationToken cancellationToken)
            => GetFeedAsync(id, OutputFormat.Rss, context, config, feeds, cancellationToken));
        sections.MapMethods("/atom", [HttpMethods.Get, HttpMethods.Head], (string id, HttpContext context, FeedsConfig config, SectionFeeds feeds, CancellationToken cancellationToken)
            => GetFeedAsync(id, OutputFormat.Atom, context, config, feeds, cancellationToken));
        return app;
    }

    private static async Task<Results<FileContentHttpResult, StatusCodeHttpResult, NotFound<string>>> GetFeedAsync(
        string id, OutputFormat format, HttpContext context, FeedsConfig config, SectionFeeds feeds, CancellationToken cancellationToken)
    {
        if (config.FindSection(id) is not { } section)
            return TypedResults.NotFound($"no section \"{id}\"");
        var feed = await feeds.GetAsync(config, section, format, PublicBase(context.Request), cancellationToken);
        var headers = context.Response.GetTypedHeaders();
        headers.ETag = EntityTagHeaderValue.Parse(feed.ETag);
        headers.LastModified = feed.LastModified;
        context.Response.Headers.CacheControl = CacheControl;
        // If-None-Match takes precedence over If-Modified-Since (RFC 9110 §13.2.2).
        var request = context.Request.GetTypedHeaders();
        var notModified = request.IfNoneMatch.Count > 0
            ? request.IfNoneMatch.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(headers.ETag, useStrongComparison: false))
            : request.IfModifiedSince is { } since && feed.LastModified <= since.AddSeconds(1);
        if (notModified)
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        return TypedResults.Bytes(feed.Body, feed.ContentType);
    }

    /// <summary>The base URL links in our output start with, as the reader reached us.</summary>
    public static Uri PublicBase(HttpRequest request) => new($"{request.Scheme}://{request.Host}{request.PathBase}/");
}
