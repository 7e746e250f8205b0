using System.Net;
using System.Security.Cryptography;
using System.ServiceModel.Syndication;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using Feeds.Core.Normalization;
using Feeds.Core.Parsing;
using Feeds.Core.Storage;

namespace Feeds.Core.Publishing;

/// <summary>The output formats of a section feed.</summary>
public enum OutputFormat
{
    Rss,
    Atom,
    Json,
}

/// <summary>
/// Writes a section page as RSS 2.0 (https://www.rssboard.org/rss-specification), Atom 1.0 (RFC 4287) —
/// both with System.ServiceModel.Syndication — or JSON Feed 1.1. Pages link to their neighbours as RFC 5005
/// paged feeds. Output depends only on the data: ids derive from section and item keys and times from the
/// items, so the same data always gives the same bytes and ETag.
/// </summary>
public static partial class SectionFeedWriter
{
    public const string Generator = "Feeds";

    /// <summary>The updated time of a section with no items yet, fixed to keep the bytes stable.</summary>
    internal static readonly DateTimeOffset EmptyFeedTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private static readonly XmlQualifiedName XmlLang = new("lang", "http://www.w3.org/XML/1998/namespace");

    /// <summary>
    /// Renders the page. An entry the writers refuse (which <see cref="Storage.StoredItemGuard"/> should have made
    /// impossible) is left out and named in <see cref="RenderedDocument.LeftOut"/>: one bad row never costs readers the page.
    /// </summary>
    /// <remarks>
    /// The whole page is written first; only when that throws is each entry tried alone, so the usual cost is one render.
    /// A page that fails without any of its entries (a fault of the writer itself) throws.
    /// </remarks>
    public static RenderedDocument Render(SectionPage page, OutputFormat format, IFeedLinks links, Uri? hub)
    {
        try
        {
            return RenderWhole(page, format, links, hub);
        }
        catch (Exception e) when (page.Entries.Count > 0 && e is not OutOfMemoryException)
        {
            var leftOut = new List<LeftOutItem>();
            foreach (var entry in page.Entries)
            {
                if (Refusal(page, entry, format, links, hub) is { } refusal)
                    leftOut.Add(new LeftOutItem(entry.Item.SourceId, entry.Item.ItemKey, entry.Item.Id, refusal));
            }
            var kept = page.Entries.Where(entry => !leftOut.Any(left => left.ItemId == entry.Item.Id)).ToList();
            return RenderWhole(page with { Entries = kept }, format, links, hub, leftOut);
        }
    }

    /// <summary>Why the writer refuses this entry on a page of its own; null when it does not.</summary>
    private static string? Refusal(SectionPage page, SectionEntry entry, OutputFormat format, IFeedLinks links, Uri? hub)
    {
        try
        {
            RenderWhole(page with { Entries = [entry] }, format, links, hub);
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }

    private static RenderedDocument RenderWhole(SectionPage page, OutputFormat format, IFeedLinks links, Uri? hub, IReadOnlyList<LeftOutItem>? leftOut = null)
    {
        var updated = LastUpdated(page);
        if (format == OutputFormat.Json)
            return new RenderedDocument(JsonFeedWriter.Write(page, links, hub), "application/feed+json; charset=utf-8", updated, leftOut);
        var feed = BuildFeed(page, format, links, hub, updated);
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = Utf8, Indent = true }))
        {
            if (format == OutputFormat.Atom)
                new Atom10FeedFormatter(feed).WriteTo(writer);
            else
                new Rss20FeedFormatter(feed, serializeExtensionsAsAtom: false).WriteTo(writer);
        }
        return format == OutputFormat.Atom
            ? new RenderedDocument(buffer.ToArray(), "application/atom+xml; charset=utf-8", updated, leftOut)
            : new RenderedDocument(WithGmtDates(buffer.ToArray()), "application/rss+xml; charset=utf-8", updated, leftOut);
    }

    internal static DateTimeOffset LastUpdated(SectionPage page) =>
        page.Entries.Count == 0 ? EmptyFeedTime : page.Entries.Max(e => LastChange(e.Item));

    internal static DateTimeOffset LastChange(StoredItem item) => item.UpdatedAt > item.PublishedAt ? item.UpdatedAt : item.PublishedAt;

    /// <summary>The language all of a page's entries share, for the feed's own language; null when they differ.</summary>
    internal static string? SharedLanguage(SectionPage page)
    {
        var languages = page.Entries.Select(e => e.Item.SourceLanguage).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return languages is [{ } only] ? only : null;
    }

    /// <summary>The entry's body, with the same story from other sources listed after it.</summary>
    internal static string? ContentWithAlsoReported(SectionEntry entry, IFeedLinks links) =>
        WithAlsoReported(entry.Item.ContentHtml ?? entry.Item.SummaryHtml, entry, links);

    /// <summary>
    /// <paramref name="html"/> followed by the line "Also reported by: …" naming the story's other reports, and a link to
    /// the story's page, which lists every report; <paramref name="html"/> alone when no other source reported it.
    /// </summary>
    internal static string? WithAlsoReported(string? html, SectionEntry entry, IFeedLinks links)
    {
        if (entry.AlsoReportedBy.Count == 0)
            return html;
        var others = entry.AlsoReportedBy.Select(other =>
            $"<a href=\"{WebUtility.HtmlEncode(links.Item(other).AbsoluteUri)}\">{WebUtility.HtmlEncode(other.SourceTitle ?? other.SourceId)}</a>");
        var story = $"<a href=\"{WebUtility.HtmlEncode(links.Story(entry.Item).AbsoluteUri)}\">all {entry.AlsoReportedBy.Count + 1} reports</a>";
        return html + $"<p>Also reported by: {string.Join(", ", others)} ({story})</p>";
    }

    /// <summary>A name-based UUID (RFC 9562 §5.5, SHA-1): the same name always gives the same id, on any host.</summary>
    internal static string StableUrn(string name)
    {
        var hash = SHA1.HashData(Encoding.UTF8.GetBytes("feeds:" + name));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return "urn:uuid:" + new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString();
    }

    internal static string ItemId(StoredItem item) => StableUrn("item:" + item.SourceId + ":" + item.ItemKey);

    private static SyndicationFeed BuildFeed(SectionPage page, OutputFormat format, IFeedLinks links, Uri? hub, DateTimeOffset updated)
    {
        var section = page.Section;
        var feed = new SyndicationFeed
        {
            Id = StableUrn("section:" + section.Id),
            Title = new TextSyndicationContent(section.Title),
            Description = string.IsNullOrEmpty(section.Description) ? null : new TextSyndicationContent(section.Description),
            Generator = Generator,
            Language = SharedLanguage(page),
            LastUpdatedTime = updated,
            Items = page.Entries.Select(entry => BuildItem(entry, format, links)).ToList(),
        };
        feed.Links.Add(SyndicationLink.CreateAlternateLink(links.Page, "text/html"));
        AddNamespace(feed, "dc", Namespaces.DublinCore);
        AddNamespace(feed, "content", Namespaces.Content);
        AddNamespace(feed, "media", Namespaces.Media);
        var mediaType = format == OutputFormat.Atom ? "application/atom+xml" : "application/rss+xml";
        // RFC 5005 §3 paged feeds: "first" is the newest page, "next" goes back in time, "previous" forward.
        var pageLinks = new List<(string Rel, Uri Href)> { ("self", links.Feed(format, page.Cursor)), ("first", links.Feed(format)) };
        if (page.Older is { } older)
            pageLinks.Add(("next", links.Feed(format, older)));
        if (page.Newer is { } newer)
            pageLinks.Add(("previous", links.Feed(format, newer)));
        if (hub is not null)
            pageLinks.Add(("hub", hub));
        if (format == OutputFormat.Atom)
        {
            foreach (var (rel, href) in pageLinks)
                feed.Links.Add(new SyndicationLink(href, rel, null, rel == "hub" ? null : mediaType, 0));
            // RFC 4287 §4.1.2: an entry without its own author takes the feed's; the aggregator publishes the feed.
            feed.Authors.Add(new SyndicationPerson { Name = Generator });
        }
        else
        {
            AddNamespace(feed, "atom", Namespaces.Atom);
            foreach (var (rel, href) in pageLinks)
            {
                var link = new XElement(XName.Get("link", Namespaces.Atom), new XAttribute("href", href.AbsoluteUri), new XAttribute("rel", rel));
                if (rel != "hub")
                    link.Add(new XAttribute("type", mediaType));
                feed.ElementExtensions.Add(link);
            }
        }
        return feed;
    }

    private static SyndicationItem BuildItem(SectionEntry entry, OutputFormat format, IFeedLinks links)
    {
        var item = entry.Item;
        var result = new SyndicationItem
        {
            Id = ItemId(item),
            Title = new TextSyndicationContent(item.Title),
            PublishDate = item.PublishedAt,
            LastUpdatedTime = LastChange(item),
        };
        result.Links.Add(SyndicationLink.CreateAlternateLink(links.Item(item), "text/html"));
        // RSS readers show the description: it names the story's other reports too (the Atom entry links them as related).
        if ((format == OutputFormat.Rss ? WithAlsoReported(item.SummaryHtml, entry, links) : item.SummaryHtml) is { } summary)
            result.Summary = new TextSyndicationContent(summary, TextSyndicationContentKind.Html);
        foreach (var category in item.Categories)
            result.Categories.Add(new SyndicationCategory(category));
        foreach (var enclosure in item.Enclosures)
        {
            if (Uri.TryCreate(enclosure.Url, UriKind.Absolute, out var enclosureUri))
                result.Links.Add(SyndicationLink.CreateMediaEnclosureLink(enclosureUri, enclosure.Type ?? "application/octet-stream", enclosure.Length ?? 0));
        }
        if (item.ImageUrl is { } image)
        {
            result.ElementExtensions.Add(new XElement(XName.Get("content", Namespaces.Media), new XAttribute("url", image), new XAttribute("medium", "image")));
            result.ElementExtensions.Add(new XElement(XName.Get("thumbnail", Namespaces.Media), new XAttribute("url", image)));
        }
        if (SourceFeed(item) is { } source)
            result.SourceFeed = source;
        var content = ContentWithAlsoReported(entry, links);
        if (format == OutputFormat.Atom)
        {
            if (content is not null)
                result.Content = new TextSyndicationContent(content, TextSyndicationContentKind.Html);
            foreach (var author in item.Authors)
                result.Authors.Add(new SyndicationPerson { Name = author.Name ?? author.Email, Email = author.Email, Uri = author.Uri });
            // RFC 4287 §4.2.7.2: "related" names a resource related to the entry: the other reports of its story, then
            // the related articles.
            foreach (var other in entry.AlsoReportedBy)
                result.Links.Add(new SyndicationLink(links.Item(other), "related", other.SourceTitle ?? other.SourceId, "text/html", 0));
            foreach (var other in entry.Related)
                result.Links.Add(new SyndicationLink(links.Item(other), "related", other.Title, "text/html", 0));
            if (item.SourceLanguage is { } language)
                result.AttributeExtensions.Add(XmlLang, language);
        }
        else
        {
            // RSS <author> must be an email address; a byline goes in dc:creator, and none is written when there is none.
            foreach (var name in item.Authors.Select(a => a.Name ?? a.Email).OfType<string>())
                result.ElementExtensions.Add(new XElement(XName.Get("creator", Namespaces.DublinCore), name));
            if (content is not null)
                result.ElementExtensions.Add(new XElement(XName.Get("encoded", Namespaces.Content), content));
        }
        return result;
    }

    /// <summary>The feed an item came from (RSS &lt;source&gt;, Atom &lt;source&gt;), when it is a web feed.</summary>
    private static SyndicationFeed? SourceFeed(StoredItem item)
    {
        if (SafeText.HttpUrl(item.SourceUrl) is not { } sourceUrl)
            return null;
        var url = new Uri(sourceUrl);
        var source = new SyndicationFeed
        {
            Id = url.AbsoluteUri,
            Title = new TextSyndicationContent(item.SourceTitle ?? item.SourceId),
        };
        source.Links.Add(SyndicationLink.CreateSelfLink(url));
        if (item.SourceLink is { } site && Uri.TryCreate(site, UriKind.Absolute, out var siteUri))
            source.Links.Add(SyndicationLink.CreateAlternateLink(siteUri));
        return source;
    }

    private static void AddNamespace(SyndicationFeed feed, string prefix, string ns) =>
        feed.AttributeExtensions.Add(new XmlQualifiedName(prefix, "http://www.w3.org/2000/xmlns/"), ns);

    /// <summary>
    /// Syndication writes RFC 822 dates with the military zone "Z"; RFC 2822 §4.3 made that obsolete and
    /// some readers reject it, so say "GMT" as RFC 1123 does.
    /// </summary>
    private static byte[] WithGmtDates(byte[] rss) =>
        Encoding.UTF8.GetBytes(RssDateZone().Replace(Encoding.UTF8.GetString(rss), " GMT</$1>"));

    [GeneratedRegex(@" Z</(pubDate|lastBuildDate)>")]
    private static partial Regex RssDateZone();
}
