using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Feeds.Core.Publishing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Feeds.Service.Endpoints;

/// <summary>The pages for people: <c>/</c> lists the sections, <c>/sections/{id}</c> shows a section's stories.</summary>
internal static class PagesApi
{
    private const int HeadlinesOnIndex = 5;

    // Item HTML is sanitized on ingest; the policy is a second wall: no script at all, images from anywhere.
    private const string ContentSecurityPolicy = "default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static IEndpointRouteBuilder MapPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", GetIndexAsync);
        app.MapGet("/sections/{id}", GetSectionAsync);
        return app;
    }

    private static async Task<ContentHttpResult> GetIndexAsync(HttpContext context, FeedsConfig config, SectionFeeds feeds, CancellationToken cancellationToken)
    {
        var baseUri = SectionFeedsApi.PublicBase(context.Request);
        var body = new StringBuilder();
        body.Append("<header><h1>Feeds</h1><p>News sections, each as RSS and Atom. Paste a feed link into your reader to subscribe.</p></header><main>");
        foreach (var section in config.Sections)
        {
            var links = new SectionLinks(baseUri, section.Id);
            var items = await feeds.LatestAsync(config, section, HeadlinesOnIndex, cancellationToken);
            body.Append(CultureInfo.InvariantCulture, $"<section class=\"card\"><h2><a href=\"{Attr(links.Page)}\">{Text(section.Title)}</a></h2>");
            if (section.Description.Length > 0)
                body.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">{Text(section.Description)}</p>");
            body.Append("<ul class=\"headlines\">");
            foreach (var item in items)
                body.Append(CultureInfo.InvariantCulture, $"<li><a href=\"{Attr(ItemLink(item, links))}\">{Text(item.Title)}</a> <span class=\"muted\">{Text(item.SourceTitle ?? item.SourceId)}</span></li>");
            if (items.Count == 0)
                body.Append("<li class=\"muted\">No stories yet.</li>");
            body.Append("</ul>").Append(SubscribeLinks(links)).Append("</section>");
        }
        body.Append("</main>");
        var autodiscovery = config.Sections.SelectMany(s => Autodiscovery(new SectionLinks(baseUri, s.Id), s.Title));
        return Page(context, "Feeds", string.Concat(autodiscovery), body.ToString());
    }

    private static async Task<Results<ContentHttpResult, NotFound<string>>> GetSectionAsync(string id, HttpContext context, FeedsConfig config, SectionFeeds feeds, CancellationToken cancellationToken)
    {
        if (config.FindSection(id) is not { } section)
            return TypedResults.NotFound($"no section \"{id}\"");
        var links = new SectionLinks(SectionFeedsApi.PublicBase(context.Request), section.Id);
        var items = await feeds.LatestAsync(config, section, config.Publishing.ItemsPerFeed, cancellationToken);
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"<header><p><a href=\"/\">Feeds</a></p><h1>{Text(section.Title)}</h1><p class=\"muted\">{Text(section.Description)}</p>{SubscribeLinks(links)}</header><main>");
        foreach (var item in items)
            body.Append(Story(item, links));
        if (items.Count == 0)
            body.Append("<p class=\"muted\">No stories yet: the sources have not been polled, or have nothing.</p>");
        body.Append("</main>");
        return TypedResults.Content(Page(context, section.Title + " — Feeds", string.Concat(Autodiscovery(links, section.Title)), body.ToString()).ResponseContent, "text/html; charset=utf-8");
    }

    private static string Story(StoredItem item, SectionLinks links)
    {
        var story = new StringBuilder();
        story.Append(CultureInfo.InvariantCulture, $"<article class=\"card\" id=\"item-{item.Id}\">");
        if (item.ImageUrl is { } image)
            story.Append(CultureInfo.InvariantCulture, $"<img class=\"lead\" src=\"{Attr(image)}\" alt=\"\" loading=\"lazy\">");
        story.Append(CultureInfo.InvariantCulture, $"<h2><a href=\"{Attr(ItemLink(item, links))}\">{Text(item.Title)}</a></h2>");
        var meta = new List<string>();
        if (item.Byline is { } byline)
            meta.Add("By " + Text(byline));
        meta.Add(Text(item.SourceTitle ?? item.SourceId));
        meta.Add($"<time datetime=\"{item.PublishedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}\">{item.PublishedAt.UtcDateTime.ToString("d MMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture)}</time>");
        meta.Add($"{item.ReadingMinutes} min read");
        story.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">{string.Join(" · ", meta)}</p>");
        if (item.SummaryText is { } summary)
            story.Append(CultureInfo.InvariantCulture, $"<p>{Text(summary)}</p>");
        if (item.Categories.Count > 0)
            story.Append(CultureInfo.InvariantCulture, $"<p class=\"tags\">{string.Join(" ", item.Categories.Select(c => $"<span>{Text(c)}</span>"))}</p>");
        return story.Append("</article>").ToString();
    }

    private static string SubscribeLinks(SectionLinks links) =>
        $"<p class=\"subscribe\">Subscribe: <a href=\"{Attr(links.Self(OutputFormat.Rss))}\">RSS</a> · <a href=\"{Attr(links.Self(OutputFormat.Atom))}\">Atom</a></p>";

    private static IEnumerable<string> Autodiscovery(SectionLinks links, string title)
    {
        yield return $"<link rel=\"alternate\" type=\"application/rss+xml\" title=\"{Attr(title)} (RSS)\" href=\"{Attr(links.Self(OutputFormat.Rss))}\">";
        yield return $"<link rel=\"alternate\" type=\"application/atom+xml\" title=\"{Attr(title)} (Atom)\" href=\"{Attr(links.Self(OutputFormat.Atom))}\">";
    }

    private static string ItemLink(StoredItem item, SectionLinks links) => item.Link ?? links.ItemAnchor(item.Id).AbsoluteUri;

    private static ContentHttpResult Page(HttpContext context, string title, string head, string body)
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
        .card{background:#fff;border:1px solid #e3e3e3;border-radius:8px;padding:1rem;margin:1rem 0}
        .muted{color:#666;font-size:.9rem}.headlines{padding-left:1.2rem}.headlines li{margin:.3em 0}
        .lead{width:100%;height:auto;border-radius:6px}.tags span{display:inline-block;background:#eef2f7;border-radius:4px;padding:0 .4em;margin:0 .3em .3em 0;font-size:.85rem}
        .subscribe a{font-weight:600}
        """;

    private static string Text(string value) => HtmlEncoder.Default.Encode(value);

    private static string Attr(object value) => HtmlEncoder.Default.Encode(value.ToString()!);
}
