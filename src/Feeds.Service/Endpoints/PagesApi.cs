using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Xml.Linq;
using Feeds.Core.Publishing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Feeds.Service.Endpoints;

/// <summary>
/// The pages for people: <c>/</c> lists the sections with their latest headlines, <c>/sections/{id}</c> shows a
/// section's stories as a news page does, and <c>/sections.opml</c> lists every section feed for a reader to import.
/// </summary>
internal static class PagesApi
{
    private const int HeadlinesOnIndex = 5;
    private const int RelatedStories = 3;

    // Item HTML is sanitized on ingest; the policy is a second wall: no script at all, images from anywhere.
    private const string ContentSecurityPolicy = "default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly OutputFormat[] Formats = [OutputFormat.Rss, OutputFormat.Atom, OutputFormat.Json];

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
        var body = new StringBuilder();
        body.Append("<header><h1>Feeds</h1><p>News by section. Each section is a feed: paste its link into your reader to subscribe, or ")
            .Append("<a href=\"sections.opml\">import them all (OPML)</a>.</p></header><main>");
        foreach (var section in config.Sections)
        {
            var links = new SectionLinks(baseUri, section.Id);
            body.Append(CultureInfo.InvariantCulture, $"<section class=\"card\"><h2><a href=\"{Attr(links.Page)}\">{Text(section.Title)}</a></h2>");
            if (section.Description.Length > 0)
                body.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">{Text(section.Description)}</p>");
            body.Append("<ul class=\"headlines\">");
            // One section that cannot be read does not take the index of every other section with it.
            SectionPage? page = null;
            try
            {
                page = await pages.GetAsync(config, section, ItemCursor.Newest, HeadlinesOnIndex, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                faults.NotePageFailed($"/ (section {section.Id})", e);
                body.Append("<li class=\"bad\">This section cannot be shown right now.</li>");
            }
            foreach (var entry in page?.Entries ?? [])
                AppendEntry(body, entry, faults, "/", () => $"<li><a href=\"{Attr(links.Item(entry.Item))}\">{Text(entry.Item.Title)}</a> <span class=\"muted\">{Text(SourceName(entry.Item))}</span></li>");
            if (page is { Entries.Count: 0 })
                body.Append("<li class=\"muted\">No stories yet.</li>");
            body.Append("</ul>").Append(SubscribeLinks(links)).Append("</section>");
        }
        body.Append("</main>");
        var autodiscovery = config.Sections.SelectMany(s => Autodiscovery(new SectionLinks(baseUri, s.Id), s.Title));
        return Page(context, "Feeds", string.Concat(autodiscovery), body.ToString());
    }

    private static async Task<Results<ContentHttpResult, NotFound<string>, BadRequest<string>>> GetSectionAsync(
        string id, string? before, HttpContext context, FeedsConfigMonitor configs, SectionPages pages, RenderFaults faults, CancellationToken cancellationToken)
    {
        var config = configs.Current;
        if (config.FindSection(id) is not { } section)
            return TypedResults.NotFound($"no section \"{id}\"");
        var cursor = ItemCursor.Newest;
        if (before is not null && !ItemCursor.TryParse(before, PageDirection.Older, out cursor))
            return TypedResults.BadRequest("?before= takes the cursor from the \"Older stories\" link");
        var links = new SectionLinks(SectionFeedsApi.PublicBase(context.Request, config), section.Id);
        var page = await pages.GetAsync(config, section, cursor, config.Publishing.ItemsPerFeed, cancellationToken);
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"<header><p><a href=\"/\">Feeds</a></p><h1>{Text(section.Title)}</h1><p class=\"muted\">{Text(section.Description)}</p>{SubscribeLinks(links)}</header><main>");
        foreach (var entry in page.Entries)
            AppendEntry(body, entry, faults, links.Page.AbsolutePath, () => Story(entry, Related(entry, page), links));
        if (page.Entries.Count == 0)
            body.Append("<p class=\"muted\">No stories yet: the sources have not been polled, or have nothing.</p>");
        if (page.Older is { } older)
            body.Append(CultureInfo.InvariantCulture, $"<p class=\"more\"><a href=\"{Attr(links.Page)}?before={older.Token}\">Older stories</a></p>");
        body.Append("</main>");
        return Page(context, section.Title + " — Feeds", string.Concat(Autodiscovery(links, section.Title)), body.ToString());
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

    /// <summary>Stories on the page that share the most categories with this one, newest first among equals.</summary>
    private static List<SectionEntry> Related(SectionEntry entry, SectionPage page) =>
        page.Entries
            .Where(other => other != entry)
            .Select(other => (Entry: other, Shared: other.Item.Categories.Intersect(entry.Item.Categories, StringComparer.OrdinalIgnoreCase).Count()))
            .Where(candidate => candidate.Shared > 0)
            .OrderByDescending(candidate => candidate.Shared)
            .Take(RelatedStories)
            .Select(candidate => candidate.Entry)
            .ToList();

    private static string Story(SectionEntry entry, List<SectionEntry> related, SectionLinks links)
    {
        var item = entry.Item;
        var story = new StringBuilder();
        story.Append(CultureInfo.InvariantCulture, $"<article class=\"card\" id=\"item-{item.Id}\">");
        if (item.ImageUrl is { } image)
            story.Append(CultureInfo.InvariantCulture, $"<img class=\"lead\" src=\"{Attr(image)}\" alt=\"\" loading=\"lazy\">");
        story.Append(CultureInfo.InvariantCulture, $"<h2><a href=\"{Attr(links.Item(item))}\">{Text(item.Title)}</a></h2>");
        var meta = new List<string>();
        if (item.Byline is { } byline)
            meta.Add("By " + Text(byline));
        meta.Add(Text(SourceName(item)));
        meta.Add($"<time datetime=\"{item.PublishedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}\">{item.PublishedAt.UtcDateTime.ToString("d MMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture)}</time>");
        meta.Add($"{item.ReadingMinutes} min read");
        story.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">{string.Join(" · ", meta)}</p>");
        if (item.SummaryText is { } summary)
            story.Append(CultureInfo.InvariantCulture, $"<p>{Text(summary)}</p>");
        if (item.Categories.Count > 0)
            story.Append(CultureInfo.InvariantCulture, $"<p class=\"tags\">{string.Join(" ", item.Categories.Select(c => $"<span>{Text(c)}</span>"))}</p>");
        if (entry.AlsoReportedBy.Count > 0)
        {
            var others = entry.AlsoReportedBy.Select(other => $"<a href=\"{Attr(links.Item(other))}\">{Text(SourceName(other))}</a>");
            story.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">Also reported by {string.Join(", ", others)}</p>");
        }
        if (related.Count > 0)
        {
            story.Append("<details><summary>Related stories</summary><ul>");
            foreach (var other in related)
                story.Append(CultureInfo.InvariantCulture, $"<li><a href=\"#item-{other.Item.Id}\">{Text(other.Item.Title)}</a></li>");
            story.Append("</ul></details>");
        }
        return story.Append("</article>").ToString();
    }

    /// <summary>
    /// The last wall of a page: an entry whose HTML cannot be built (the store's guard should have made that impossible)
    /// is left out and reported, and the rest of the page is served. Built whole before it is appended, so no half an entry.
    /// </summary>
    private static void AppendEntry(StringBuilder body, SectionEntry entry, RenderFaults faults, string page, Func<string> render)
    {
        string html;
        try
        {
            html = render();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            faults.NoteLeftOut(page, new LeftOutItem(entry.Item.SourceId, entry.Item.ItemKey, entry.Item.Id, $"{e.GetType().Name}: {e.Message}"));
            return;
        }
        body.Append(html);
    }

    private static string SourceName(StoredItem item) => item.SourceTitle ?? item.SourceId;

    private static string SubscribeLinks(SectionLinks links) =>
        $"<p class=\"subscribe\">Subscribe: <a href=\"{Attr(links.Feed(OutputFormat.Rss))}\">RSS</a> · <a href=\"{Attr(links.Feed(OutputFormat.Atom))}\">Atom</a> · <a href=\"{Attr(links.Feed(OutputFormat.Json))}\">JSON Feed</a></p>";

    private static IEnumerable<string> Autodiscovery(SectionLinks links, string title) =>
        Formats.Select(format => $"<link rel=\"alternate\" type=\"{MediaType(format)}\" title=\"{Attr(title)} ({FormatName(format)})\" href=\"{Attr(links.Feed(format))}\">");

    private static string MediaType(OutputFormat format) => format switch
    {
        OutputFormat.Atom => "application/atom+xml",
        OutputFormat.Json => "application/feed+json",
        _ => "application/rss+xml",
    };

    private static string FormatName(OutputFormat format) => format switch
    {
        OutputFormat.Atom => "Atom",
        OutputFormat.Json => "JSON Feed",
        _ => "RSS",
    };

    /// <summary>A page in the site's frame, sent with the security headers every page gets.</summary>
    public static ContentHttpResult Page(HttpContext context, string title, string head, string body)
    {
        context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        var html = $"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{Text(title)}</title>
            {head}
            <style>{Stylesheet}</style>
            </head>
            <body>
            {body}
            </body>
            </html>
            """;
        return TypedResults.Content(html, "text/html; charset=utf-8");
    }

    private const string Stylesheet = """
        body{font:17px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:46rem;margin:0 auto;padding:1rem;color:#1b1b1b;background:#fafafa}
        a{color:#0b5cad}h1{margin:.2em 0}h2{font-size:1.2rem;margin:.3em 0}
        .card{background:#fff;border:1px solid #e3e3e3;border-radius:8px;padding:1rem;margin:1rem 0;overflow-wrap:anywhere}
        .muted{color:#666;font-size:.9rem}.headlines{padding-left:1.2rem}.headlines li{margin:.3em 0}
        .lead{width:100%;height:auto;border-radius:6px}.tags span{display:inline-block;background:#eef2f7;border-radius:4px;padding:0 .4em;margin:0 .3em .3em 0;font-size:.85rem}
        .subscribe a,.more a{font-weight:600}details{font-size:.95rem}
        table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{text-align:left;vertical-align:top;padding:.3em .4em;border-bottom:1px solid #eee}
        .scroll{overflow-x:auto}.bad{color:#b00020;font-weight:600}.alarm{border-color:#b00020}
        """;

    private static string Text(string value) => HtmlEncoder.Default.Encode(value);

    private static string Attr(object value) => HtmlEncoder.Default.Encode(value.ToString()!);
}
