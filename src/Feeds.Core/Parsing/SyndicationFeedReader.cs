using System.ServiceModel.Syndication;
using System.Xml;
using System.Xml.Linq;

namespace Feeds.Core.Parsing;

/// <summary>
/// Reads RSS 2.0 (https://www.rssboard.org/rss-specification) and Atom 1.0 (RFC 4287) through
/// System.ServiceModel.Syndication, then picks the extension elements news feeds carry
/// (content:encoded, dc:creator, media:*, itunes:image) from the preserved extensions.
/// </summary>
internal static class SyndicationFeedReader
{
    public static ParsedFeed Read(XmlReader reader, FeedFormat format)
    {
        SyndicationFeedFormatter formatter = format == FeedFormat.Atom10 ? new Atom10FeedFormatter() : new Rss20FeedFormatter();
        // The default callbacks throw on one bad date or link and lose the whole feed; ours never fail.
        formatter.DateTimeParser = ParseDate;
        formatter.UriParser = ParseUri;
        formatter.ReadFrom(reader);
        var feed = formatter.Feed;
        return new ParsedFeed(format, ReadChannel(feed, format), feed.Items.Select(item => ReadEntry(item, format)).ToList());
    }

    private static bool ParseDate(XmlDateTimeData data, out DateTimeOffset value)
    {
        // MinValue marks "present but unreadable"; see DateOrNull.
        value = FeedDates.Parse(data.DateTimeString) ?? DateTimeOffset.MinValue;
        return true;
    }

    private static bool ParseUri(XmlUriData data, out Uri? uri)
    {
        Uri.TryCreate(data.UriString.Trim(), UriKind.RelativeOrAbsolute, out uri);
        uri ??= new Uri("", UriKind.Relative);
        return true;
    }

    private static ParsedChannel ReadChannel(SyndicationFeed feed, FeedFormat format) => new()
    {
        Title = Text(feed.Title, format),
        Link = AlternateLink(feed.Links),
        Description = HtmlByConvention(feed.Description, format),
        Language = NullIfEmpty(feed.Language),
        Updated = DateOrNull(feed.LastUpdatedTime) ?? ExtensionDate(feed.ElementExtensions, "date", Namespaces.DublinCore),
        Published = ExtensionDate(feed.ElementExtensions, "pubDate", ""),
        Image = feed.ImageUrl?.OriginalString,
        Authors = feed.Authors.Select(Person).ToList(),
        BaseUri = feed.BaseUri,
    };

    private static ParsedEntry ReadEntry(SyndicationItem item, FeedFormat format)
    {
        var extensions = item.ElementExtensions.Select(e => e.GetObject<XElement>()).ToList();
        var isRss = format == FeedFormat.Rss20;
        var guid = extensions.FirstOrDefault(e => e.Name == "guid");
        var content = extensions.FirstOrDefault(e => e.Name == XName.Get("encoded", Namespaces.Content)) is { } encoded
            ? new FeedText(encoded.Value, TextKind.Html)
            : isRss ? null : Content(item.Content);
        // Syndication puts an RSS <description> in Content rather than Summary when the item has no other body.
        var summary = item.Summary ?? (isRss ? item.Content as TextSyndicationContent : null);
        return new ParsedEntry
        {
            Id = NullIfEmpty(item.Id),
            IdIsPermaLink = isRss && !string.Equals(guid?.Attribute("isPermaLink")?.Value, "false", StringComparison.OrdinalIgnoreCase),
            Title = Text(item.Title, format) ?? extensions.Where(e => e.Name == XName.Get("title", Namespaces.DublinCore)).Select(e => new FeedText(e.Value, TextKind.Text)).FirstOrDefault(),
            Link = AlternateLink(item.Links),
            Summary = HtmlByConvention(summary, format),
            Content = content,
            Authors = Authors(item, extensions),
            Published = DateOrNull(item.PublishDate),
            Updated = isRss ? ExtensionDate(extensions, "date", Namespaces.DublinCore) : DateOrNull(item.LastUpdatedTime),
            Categories = item.Categories.Select(c => c.Name ?? c.Label).Concat(Elements(extensions, "subject", Namespaces.DublinCore).Select(e => e.Value))
                .Where(c => !string.IsNullOrWhiteSpace(c)).Select(c => c!.Trim()).Distinct().ToList(),
            Enclosures = item.Links.Where(l => l.RelationshipType == "enclosure" && l.Uri is not null)
                .Select(l => new ParsedEnclosure(l.Uri.OriginalString, NullIfEmpty(l.MediaType), l.Length > 0 ? l.Length : null)).ToList(),
            Images = MediaImages(extensions),
            BaseUri = item.BaseUri,
        };
    }

    private static List<ParsedPerson> Authors(SyndicationItem item, List<XElement> extensions)
    {
        // RSS <author> arrives as Email ("desk@x.org (Name)"); normalization splits it.
        var authors = item.Authors.Select(Person).ToList();
        authors.AddRange(Elements(extensions, "creator", Namespaces.DublinCore).Concat(Elements(extensions, "author", Namespaces.Itunes))
            .Where(e => !string.IsNullOrWhiteSpace(e.Value)).Select(e => new ParsedPerson(e.Value.Trim(), null, null)));
        return authors;
    }

    private static ParsedPerson Person(SyndicationPerson person) =>
        person.Name is null && person.Uri is null ? new ParsedPerson(NullIfEmpty(person.Email), null, null) : new ParsedPerson(NullIfEmpty(person.Name), NullIfEmpty(person.Email), NullIfEmpty(person.Uri));

    /// <summary>media:thumbnail first, then image media:content, then itunes:image (SCHEMA.md image order).</summary>
    private static List<string> MediaImages(List<XElement> extensions)
    {
        var media = extensions.SelectMany(e => e.Name == XName.Get("group", Namespaces.Media) ? e.Elements() : [e])
            .SelectMany(e => e.Name == XName.Get("content", Namespaces.Media) ? e.Elements(XName.Get("thumbnail", Namespaces.Media)).Prepend(e) : [e])
            .ToList();
        var thumbnails = media.Where(e => e.Name == XName.Get("thumbnail", Namespaces.Media)).Select(e => (string?)e.Attribute("url"));
        var images = media.Where(e => e.Name == XName.Get("content", Namespaces.Media) && IsImage(e)).Select(e => (string?)e.Attribute("url"));
        var itunes = Elements(extensions, "image", Namespaces.Itunes).Select(e => (string?)e.Attribute("href"));
        return thumbnails.Concat(images).Concat(itunes).Where(u => !string.IsNullOrWhiteSpace(u)).Select(u => u!.Trim()).ToList();
    }

    private static bool IsImage(XElement mediaContent) =>
        (string?)mediaContent.Attribute("medium") == "image" || ((string?)mediaContent.Attribute("type"))?.StartsWith("image/", StringComparison.OrdinalIgnoreCase) == true;

    private static IEnumerable<XElement> Elements(List<XElement> extensions, string name, string ns) =>
        extensions.Where(e => e.Name == XName.Get(name, ns));

    private static DateTimeOffset? ExtensionDate(SyndicationElementExtensionCollection extensions, string name, string ns) =>
        ExtensionDate(extensions.Where(e => e.OuterName == name && e.OuterNamespace == ns).Select(e => e.GetObject<XElement>()).ToList(), name, ns);

    private static DateTimeOffset? ExtensionDate(List<XElement> extensions, string name, string ns) =>
        Elements(extensions, name, ns).Select(e => FeedDates.Parse(e.Value)).FirstOrDefault(d => d is not null);

    private static string? AlternateLink(IEnumerable<SyndicationLink> links)
    {
        var alternates = links.Where(l => l.RelationshipType is null or "alternate" && l.Uri is not null && l.Uri.OriginalString.Length > 0).ToList();
        var best = alternates.FirstOrDefault(l => l.MediaType is "text/html") ?? alternates.FirstOrDefault();
        return best?.Uri.OriginalString;
    }

    private static FeedText? Content(SyndicationContent? content) => content switch
    {
        TextSyndicationContent text => Text(text, FeedFormat.Atom10),
        XmlSyndicationContent xml => new FeedText(ReadXmlContent(xml), TextKind.Xhtml),
        _ => null,
    };

    private static string ReadXmlContent(XmlSyndicationContent xml)
    {
        using var reader = xml.GetReaderAtContent();
        return reader.ReadInnerXml();
    }

    private static FeedText? Text(TextSyndicationContent? content, FeedFormat format) =>
        content is null || string.IsNullOrEmpty(content.Text) ? null : new FeedText(content.Text, format == FeedFormat.Rss20 ? TextKind.Text : KindOf(content));

    /// <summary>RSS descriptions are HTML by convention, whatever Syndication calls them.</summary>
    private static FeedText? HtmlByConvention(TextSyndicationContent? content, FeedFormat format) =>
        Text(content, format) is { } text && format == FeedFormat.Rss20 ? text with { Kind = TextKind.Html } : Text(content, format);

    private static TextKind KindOf(TextSyndicationContent content) => content.Type switch
    {
        "html" => TextKind.Html,
        "xhtml" => TextKind.Xhtml,
        _ => TextKind.Text,
    };

    private static DateTimeOffset? DateOrNull(DateTimeOffset value) =>
        value == DateTimeOffset.MinValue || value == default ? null : value.ToUniversalTime();

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
