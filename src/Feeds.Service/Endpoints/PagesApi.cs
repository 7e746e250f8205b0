using System.Xml.Linq;
using Feeds.Core.Publishing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Feeds.Service.Endpoints;

/// <summary>
/// The pages for people: <c>/</c> lists the sections with their latest headlines, <c>/sections/{id}</c> shows a
/// section's stories as a news page does, and <c>/sections.opml</c> lists every section feed for a reader to import.
/// The first two are rendered once per change of what they show (<see cref="CachedPages"/>) and sent as the feeds are.
/// </summary>
internal static class PagesApi
{
    public static IEndpointRouteBuilder MapPages(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/", [HttpMethods.Get, HttpMethods.Head], GetIndexAsync).WithRenderFaultWall();
        app.MapMethods("/sections/{id}", [HttpMethods.Get, HttpMethods.Head], GetSectionAsync).WithRenderFaultWall();
        app.MapGet("/sections.opml", GetOpml);
        return app;
    }

    private static async Task<IResult> GetIndexAsync(HttpContext context, FeedsConfigMonitor configs, CachedPages pages, CancellationToken cancellationToken)
    {
        var config = configs.Current;
        var index = await pages.IndexAsync(config, SectionFeedsApi.PublicBase(context.Request, config), cancellationToken);
        return HtmlPage.Serve(context, index, config);
    }

    private static async Task<IResult> GetSectionAsync(
        string id, string? before, HttpContext context, FeedsConfigMonitor configs, CachedPages pages, CancellationToken cancellationToken)
    {
        var config = configs.Current;
        if (config.FindSection(id) is not { } section)
            return Refusals.NoSuchSection(id);
        var cursor = ItemCursor.Newest;
        if (before is not null && !ItemCursor.TryParse(before, PageDirection.Older, out cursor))
            return Refusals.BadCursor("?before= takes the cursor from the page's 'Older stories' link");
        var page = await pages.SectionAsync(config, section, cursor, SectionFeedsApi.PublicBase(context.Request, config), cancellationToken);
        return HtmlPage.Serve(context, page, config);
    }

    private static ContentHttpResult GetOpml(HttpContext context, FeedsConfigMonitor configs)
    {
        var config = configs.Current;
        var baseUri = SectionFeedsApi.PublicBase(context.Request, config);
        var opml = new XDocument(new XDeclaration("1.0", "utf-8", null),
            new XElement("opml", new XAttribute("version", "2.0"),
                new XElement("head", new XElement("title", "Feeds sections")),
                new XElement("body", config.Sections.Select(section =>
                {
                    var links = new SectionLinks(baseUri, section.Id);
                    return new XElement("outline",
                        new XAttribute("type", "rss"),
                        new XAttribute("text", section.Title),
                        new XAttribute("title", section.Title),
                        new XAttribute("description", section.Description),
                        new XAttribute("xmlUrl", links.Feed(OutputFormat.Rss).AbsoluteUri),
                        new XAttribute("htmlUrl", links.Page.AbsoluteUri));
                }))));
        return TypedResults.Content(opml.Declaration + "\n" + opml.Root, "text/x-opml; charset=utf-8");
    }
}
