using Feeds.Core.Metrics;
using Feeds.Core.Publishing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Feeds.Service.Pages;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Feeds.Service.Endpoints;

/// <summary>
/// Search: <c>/search?q=</c> for people and <c>/search/rss|atom|json?q=</c>, a saved search as a feed a reader subscribes
/// to, paged with <c>before=</c>/<c>after=</c> cursors (RFC 5005) and cached and validated as the section feeds are. A
/// query that cannot be run is answered 400 with what is wrong and where (the syntax: docs/search.md).
/// </summary>
internal static class SearchApi
{
    public static IEndpointRouteBuilder MapSearch(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/search", [HttpMethods.Get, HttpMethods.Head], GetPageAsync).WithRenderFaultWall();
        foreach (var format in Enum.GetValues<OutputFormat>())
        {
            app.MapMethods("/search/" + SectionLinks.FormatSegment(format), [HttpMethods.Get, HttpMethods.Head],
                (string? q, string? before, string? after, HttpContext context, FeedsConfigMonitor configs, SearchFeeds searches, CancellationToken cancellationToken)
                    => GetFeedAsync(q, format, before, after, context, configs.Current, searches, cancellationToken))
                .WithRenderFaultWall();
        }
        return app;
    }

    private static async Task<IResult> GetFeedAsync(string? q, OutputFormat format, string? before, string? after, HttpContext context,
        FeedsConfig config, SearchFeeds searches, CancellationToken cancellationToken)
    {
        if (Refusal(config, q, out var query, out var sourceIds) is { } refusal)
            return Refusals.BadQuery(refusal.Reason);
        if (!SectionFeedsApi.TryReadCursor(before, after, out var cursor))
            return Refusals.BadCursor();
        var feed = await searches.GetFeedAsync(config, query, sourceIds, format, cursor, SectionFeedsApi.PublicBase(context.Request, config), cancellationToken);
        var result = RenderedDocumentResults.Serve(context, feed, config.Publishing.MaxAge);
        FeedsMetrics.RecordFeedRequest(SectionLinks.FormatSegment(format),
            result is StatusCodeHttpResult { StatusCode: StatusCodes.Status304NotModified } ? StatusCodes.Status304NotModified : StatusCodes.Status200OK);
        return result;
    }

    private static async Task<IResult> GetPageAsync(string? q, string? before, HttpContext context, FeedsConfigMonitor configs, CachedPages pages,
        CancellationToken cancellationToken)
    {
        var config = configs.Current;
        if (string.IsNullOrEmpty(q))
            return await HtmlPage.RenderAsync<SearchPage>(context, new Dictionary<string, object?>(), hasForm: true);
        if (Refusal(config, q, out var query, out var sourceIds) is { } refusal)
        {
            return await HtmlPage.RenderAsync<SearchPage>(context, new Dictionary<string, object?>
            {
                [nameof(SearchPage.Typed)] = q,
                [nameof(SearchPage.Error)] = refusal.Reason,
            }, hasForm: true, StatusCodes.Status400BadRequest);
        }
        var cursor = ItemCursor.Newest;
        if (before is not null && !ItemCursor.TryParse(before, PageDirection.Older, out cursor))
            return Refusals.BadCursor("?before= takes the cursor from the page's 'Older results' link");
        var page = await pages.SearchAsync(config, query, sourceIds, cursor, SectionFeedsApi.PublicBase(context.Request, config), cancellationToken);
        return HtmlPage.Serve(context, page, config, hasForm: true);
    }

    /// <summary>Why <paramref name="text"/> cannot be searched; null when it can, with the parsed query and the sources it searches.</summary>
    private static SearchRefusal? Refusal(FeedsConfig config, string? text, out SearchQuery query, out IReadOnlyList<string> sourceIds)
    {
        sourceIds = [];
        if (!SearchQuery.TryParse(text, out query, out var error))
            return new SearchRefusal($"q: {error}");
        return SearchFeeds.SourcesOf(config, query, out sourceIds);
    }
}
