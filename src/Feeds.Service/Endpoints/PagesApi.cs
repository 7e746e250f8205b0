using System.Xml.Linq;
using Feeds.Core.Publishing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Feeds.Service.Pages;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Feeds.Service.Endpoints;

/// <summary>
/// The pages for people: <c>/</c> lists the sections with their latest headlines, <c>/sections/{id}</c> shows a
/// section's stories as a news page does, and <c>/sections.opml</c> lists every section feed for a reader to import.
/// </summary>
internal static class PagesApi
{
    private const int HeadlinesOnIndex = 5;

    public static IEndpointRouteBuilder MapPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", GetIndexAsync).WithRenderFaultWall();
        app.MapGet("/sections/{id}", GetSectionAsync).WithRenderFaultWall();
        app.MapGet("/sections.opml", GetOpml);
        return app;
    }

    private static async Task<ContentHttpResult> GetIndexAsync(HttpContext context, FeedsConfigMonitor configs, SectionPages pages, RenderFaults faults,
        CancellationToken cancellationToken)
    {
        var config = configs.Current;
        var baseUri = SectionFeedsApi.PublicBase(context.Request, config);
        var sections = new List<IndexSection>(config.Sections.Count);
        foreach (var section in config.Sections)
        {
            // One section that cannot be read does not take the index of every other section with it.
            SectionPage? latest = null;
            try
            {
                latest = await pages.GetAsync(config, section, ItemCursor.Newest, HeadlinesOnIndex, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                faults.NotePageFailed($"/ (section {section.Id})", e);
            }
            sections.Add(new IndexSection(section, new SectionLinks(baseUri, section.Id), latest));
        }
        return await HtmlPage.RenderAsync<IndexPage>(context, new Dictionary<string, object?> { [nameof(IndexPage.Sections)] = sections });
    }

    private static async Task<Results<ContentHttpResult, NotFound<string>, BadRequest<string>>> GetSectionAsync(
        string id, string? before, HttpContext context, FeedsConfigMonitor configs, SectionPages pages, CancellationToken cancellationToken)
    {
        var config = configs.Current;
        if (config.FindSection(id) is not { } section)
            return TypedResults.NotFound($"no section \"{id}\"");
        var cursor = ItemCursor.Newest;
        if (before is not null && !ItemCursor.TryParse(before, PageDirection.Older, out cursor))
            return TypedResults.BadRequest("?before= takes the cursor from the \"Older stories\" link");
        var links = new SectionLinks(SectionFeedsApi.PublicBase(context.Request, config), section.Id);
        var page = await pages.GetAsync(config, section, cursor, config.Publishing.ItemsPerFeed, cancellationToken);
        return await HtmlPage.RenderAsync<SectionStoriesPage>(context, new Dictionary<string, object?>
        {
            [nameof(SectionStoriesPage.Page)] = page,
            [nameof(SectionStoriesPage.Links)] = links,
        });
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
