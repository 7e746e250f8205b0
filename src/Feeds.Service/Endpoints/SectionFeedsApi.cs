using Feeds.Core.Metrics;
using Feeds.Core.Publishing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

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

    private static async Task<IResult> GetFeedAsync(
        string id, OutputFormat format, string? before, string? after, HttpContext context, FeedsConfig config, SectionFeeds feeds, CancellationToken cancellationToken)
    {
        if (config.FindSection(id) is not { } section)
            return Refusals.NoSuchSection(id);
        if (!TryReadCursor(before, after, out var cursor))
            return Refusals.BadCursor();
        var links = new SectionLinks(PublicBase(context.Request, config), section.Id);
        var feed = await feeds.GetAsync(config, section, format, cursor, links.BaseUri, cancellationToken);
        AdvertiseHub(context, config, links.Feed(format, cursor));
        var result = RenderedDocumentResults.Serve(context, feed, config.Publishing.MaxAge);
        FeedsMetrics.RecordFeedRequest(SectionLinks.FormatSegment(format),
            result is StatusCodeHttpResult { StatusCode: StatusCodes.Status304NotModified } ? StatusCodes.Status304NotModified : StatusCodes.Status200OK);
        return result;
    }

    /// <summary>A feed page's cursor from <c>?before=</c> or <c>?after=</c> (not both); the newest page when neither is given.</summary>
    public static bool TryReadCursor(string? before, string? after, out ItemCursor cursor)
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

    /// <summary>WebSub §4: the hub (when one is configured) and the feed's own URL in the Link header, as well as in the feed.</summary>
    public static void AdvertiseHub(HttpContext context, FeedsConfig config, Uri self)
    {
        if (config.Publishing.Hub is { } hub)
            context.Response.Headers.Link = $"<{hub.AbsoluteUri}>; rel=\"hub\", <{self.AbsoluteUri}>; rel=\"self\"";
    }

    /// <summary>The base URL links in our output start with: the configured public address, else as the reader reached us.</summary>
    public static Uri PublicBase(HttpRequest request, FeedsConfig config) =>
        config.Publishing.BaseUrl ?? new Uri($"{request.Scheme}://{request.Host}{request.PathBase}/");
}
