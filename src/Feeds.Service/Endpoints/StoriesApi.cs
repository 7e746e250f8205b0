using System.Globalization;
using Feeds.Core.Publishing;
using Feeds.Core.Sources;

namespace Feeds.Service.Endpoints;

/// <summary>
/// A story's page, <c>/stories/{id}</c>, and its feeds, <c>/stories/{id}/rss</c>, <c>/atom</c> and <c>/json</c>: every
/// report of one event from every source, newest first, so a reader can follow it as reports arrive. The feeds are paged
/// with <c>?before=</c>/<c>?after=</c> cursors (RFC 5005) and name the WebSub hub, as a section's are. Rendered once per
/// change of the store and sent as the section pages and feeds are; an id that names no story is answered 404.
/// </summary>
internal static class StoriesApi
{
    public static IEndpointRouteBuilder MapStories(this IEndpointRouteBuilder app)
    {
        var stories = app.MapGroup("/stories/{id}");
        stories.MapMethods("", [HttpMethods.Get, HttpMethods.Head], GetPageAsync).WithRenderFaultWall();
        foreach (var format in Enum.GetValues<OutputFormat>())
        {
            stories.MapMethods("/" + SectionLinks.FormatSegment(format), [HttpMethods.Get, HttpMethods.Head],
                (string id, string? before, string? after, HttpContext context, FeedsConfigMonitor configs, StoryFeeds feeds, CancellationToken cancellationToken)
                    => GetFeedAsync(id, format, before, after, context, configs.Current, feeds, cancellationToken))
                .WithRenderFaultWall();
        }
        return app;
    }

    private static async Task<IResult> GetPageAsync(string id, HttpContext context, FeedsConfigMonitor configs, CachedPages pages, CancellationToken cancellationToken)
    {
        var config = configs.Current;
        if (!TryReadId(id, out var storyId)
            || await pages.StoryAsync(config, storyId, SectionFeedsApi.PublicBase(context.Request, config), cancellationToken) is not { } page)
            return Refusals.NoSuchStory(id);
        return HtmlPage.Serve(context, page, config);
    }

    private static async Task<IResult> GetFeedAsync(string id, OutputFormat format, string? before, string? after, HttpContext context, FeedsConfig config,
        StoryFeeds feeds, CancellationToken cancellationToken)
    {
        if (!TryReadId(id, out var storyId))
            return Refusals.NoSuchStory(id);
        if (!SectionFeedsApi.TryReadCursor(before, after, out var cursor))
            return Refusals.BadCursor();
        var links = SectionLinks.ForStory(SectionFeedsApi.PublicBase(context.Request, config), storyId);
        if (await feeds.GetAsync(config, storyId, format, cursor, links.BaseUri, cancellationToken) is not { } feed)
            return Refusals.NoSuchStory(id);
        SectionFeedsApi.AdvertiseHub(context, config, links.Feed(format, cursor));
        return RenderedDocumentResults.Serve(context, feed, config.Publishing.MaxAge);
    }

    /// <summary>A story id is the id of its first report: a positive whole number, as the story's links give it.</summary>
    private static bool TryReadId(string id, out long storyId) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out storyId) && storyId > 0;
}
