using System.Security.Cryptography;
using System.ServiceModel.Syndication;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using Feeds.Core.Parsing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;

namespace Feeds.Core.Publishing;

/// <summary>
/// Writes a section's items as RSS 2.0 (https://www.rssboard.org/rss-specification) or Atom 1.0 (RFC 4287)
/// with System.ServiceModel.Syndication. Output depends only on the data: ids are derived from the section
/// and item keys and times from the items, so the same data always gives the same bytes (and ETag).
/// </summary>
public static partial class SectionFeedWriter
{
    public const string Generator = "Feeds";

    /// <summary>Used as the feed's updated time when a section has no items yet, to keep the bytes stable.</summary>
    private static readonly DateTimeOffset EmptyFeedTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static RenderedFeed Render(Section section, IReadOnlyList<StoredItem> items, OutputFormat format, SectionLinks links)
    {
        var feed = BuildFeed(section, items, format, links);
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = Utf8, Indent = true }))
        {
            if (format == OutputFormat.Atom)
                new Atom10FeedFormatter(feed).WriteTo(writer);
            else
                new Rss20FeedFormatter(feed, serializeExtensionsAsAtom: false).WriteTo(writer);
        }
        var body = format == OutputFormat.Rss ? WithGmtDates(buffer.ToArray()) : buffer.ToArray();
        var contentType = format == OutputFormat.Atom ? "application/atom+xml; charset=utf-8" : "application/rss+xml; charset=utf-8";
        return new RenderedFeed(body, contentType, StrongETag(body), feed.LastUpdatedTime);
    }

    /// <summary>
    /// Syndication writes RFC 822 dates with the military zone "Z"; RFC 2822 §4.3 made that obsolete and
    /// some readers reject it, so say "GMT" as RFC 1123 does.
    /// </summary>
    private static byte[] WithGmtDates(byte[] rss) =>
        Encoding.UTF8.GetBytes(RssDateZone().Replace(Encoding.UTF8.GetString(rss), " GMT</$1>"));

    [GeneratedRegex(@" Z</(pubDate|lastBuildDate)>")]
    private static partial Regex RssDateZone();

    public static string StrongETag(byte[] body) => "\"" + Convert.ToHexStringLower(SHA256.HashData(body).AsSpan(0, 16)) + "\"";

    private static SyndicationFeed BuildFeed(Section section, IReadOnlyList<StoredItem> items, OutputFormat format, SectionLinks links)
    {
        var feed = new SyndicationFeed
        {
            Id = StableUrn("section:" + section.Id),
            Title = new TextSyndicationContent(section.Title),
            Description = string.IsNullOrEmpty(section.Description) ? null : new TextSyndicationContent(section.Description),
            Generator = Generator,
            LastUpdatedTime = items.Count == 0 ? EmptyFeedTime : items.Max(LastChange),
            Items = items.Select(item => BuildItem(section, item, format, links)).ToList(),
        };
        feed.Links.Add(SyndicationLink.CreateAlternateLink(links.Page, "text/html"));
        // Declare each prefix once on the root rather than on every element that uses it.
        AddNamespace(feed, "dc", Namespaces.DublinCore);
        AddNamespace(feed, "content", Namespaces.Content);
        AddNamespace(feed, "media", Namespaces.Media);
        if (format == OutputFormat.Atom)
        {
            feed.Links.Add(SyndicationLink.CreateSelfLink(links.Self(format), "application/atom+xml"));
            // RFC 4287 §4.1.2: an entry without its own author takes the feed's; the aggregator publishes the feed.
            feed.Authors.Add(new SyndicationPerson { Name = Generator });
        }
        else
        {
            AddNamespace(feed, "atom", Namespaces.Atom);
            feed.ElementExtensions.Add(new XElement(XName.Get("link", Namespaces.Atom),
                new XAttribute("href", links.Self(format).AbsoluteUri), new XAttribute("rel", "self"), new XAttribute("type", "application/rss+xml")));
        }
        return feed;
    }

    private static SyndicationItem BuildItem(Section section, StoredItem item, OutputFormat format, SectionLinks links)
    {
        var link = item.Link is { } url && Uri.TryCreate(url, UriKind.Absolute, out var absolute) ? absolute : links.ItemAnchor(item.Id);
        var result = new SyndicationItem
        {
            Id = StableUrn("item:" + item.SourceId + ":" + item.ItemKey),
            Title = new TextSyndicationContent(item.Title),
            PublishDate = item.PublishedAt,
            LastUpdatedTime = LastChange(item),
        };
        result.Links.Add(SyndicationLink.CreateAlternateLink(link, "text/html"));
        if (item.SummaryHtml is { } summary)
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
        if (format == OutputFormat.Atom)
        {
            if (item.ContentHtml is { } content)
                result.Content = new TextSyndicationContent(content, TextSyndicationContentKind.Html);
            foreach (var author in item.Authors)
                result.Authors.Add(new SyndicationPerson { Name = author.Name ?? author.Email, Email = author.Email, Uri = author.Uri });
        }
        else
        {
            // RSS <author> must be an email address; a byline goes in dc:creator, and none is written when there is none.
            foreach (var name in item.Authors.Select(a => a.Name ?? a.Email).OfType<string>())
                result.ElementExtensions.Add(new XElement(XName.Get("creator", Namespaces.DublinCore), name));
            if (item.ContentHtml is { } content)
                result.ElementExtensions.Add(new XElement(XName.Get("encoded", Namespaces.Content), content));
        }
        return result;
    }

    private static DateTimeOffset LastChange(StoredItem item) => item.UpdatedAt > item.PublishedAt ? item.UpdatedAt : item.PublishedAt;

    private static void AddNamespace(SyndicationFeed feed, string prefix, string ns) =>
        feed.AttributeExtensions.Add(new XmlQualifiedName(prefix, "http://www.w3.org/2000/xmlns/"), ns);

    /// <summary>A name-based UUID (RFC 9562 §5.5, SHA-1): the same name always gives the same id, on any host.</summary>
    internal static string StableUrn(string name)
    {
        var hash = SHA1.HashData(Encoding.UTF8.GetBytes("feeds:" + name));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return "urn:uuid:" + new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString();
    }
}

/// <summary>The absolute URLs a section feed points to, built from the public base URL.</summary>
public sealed record SectionLinks(Uri BaseUri, string SectionId)
{
    public Uri Page => new(BaseUri, $"sections/{Uri.EscapeDataString(SectionId)}");

    public Uri Self(OutputFormat format) => new(BaseUri, $"sections/{Uri.EscapeDataString(SectionId)}/{(format == OutputFormat.Atom ? "atom" : "rss")}");

    public Uri ItemAnchor(long itemId) => new(BaseUri, $"sections/{Uri.EscapeDataString(SectionId)}#item-{itemId}");
}
