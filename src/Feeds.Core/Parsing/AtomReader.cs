using System.Text;
using static Feeds.Core.Parsing.ModuleFields;

namespace Feeds.Core.Parsing;

/// <summary>
/// Reads Atom 1.0 (RFC 4287) and Atom 0.3 (draft-ietf-atompub-format-03, and the earlier drafts under other
/// namespaces) into a <see cref="ParsedFeed"/>. The Atom elements are those in the root's namespace; 0.3 differs
/// in names (<c>tagline</c>, <c>issued</c>, <c>modified</c>, author <c>url</c>) and in text constructs
/// (a MIME <c>type</c> and a <c>mode</c> of xml, escaped or base64).
/// </summary>
internal static class AtomReader
{
    /// <summary>
    /// Takes the entries of a document out of it as they close (<see cref="TolerantXmlParser.Parse"/>) and hands each to
    /// <paramref name="entries"/> mapped. What is left is the feed's own elements, for <see cref="ReadChannel(FeedElement)"/>.
    /// </summary>
    public sealed class EntryTaker(FeedElement feed, IEntrySink entries)
    {
        private long _taken;

        public bool TakeIfEntry(FeedElement element)
        {
            if (element.Parent != feed || !element.Is("entry", feed.Namespace))
                return false;
            entries.Add(ReadEntry(element, feed.Namespace), _taken++, () => ReadChannel(feed));
            return true;
        }
    }

    /// <summary>The feed-level fields of a document whose entries were taken by an <see cref="EntryTaker"/>.</summary>
    public static ParsedChannel ReadChannel(FeedElement feed) => ReadChannel(feed, feed.Namespace);

    /// <summary>
    /// An Atom Entry Document (RFC 4287 §2: a lone <c>entry</c> as the root) read as a feed of that one entry. Such a
    /// document has no feed-level metadata, so the channel is empty but for the xml:base and xml:lang in force.
    /// </summary>
    public static ParsedEntry ReadEntryDocument(FeedElement entry) => ReadEntry(entry, entry.Namespace);

    /// <inheritdoc cref="ReadEntryDocument"/>
    public static ParsedChannel EntryDocumentChannel(FeedElement entry) => new() { BaseUri = entry.BaseUri, Language = entry.Language };

    private static ParsedChannel ReadChannel(FeedElement feed, string ns) => new()
    {
        Title = TextConstruct(feed.Element("title", ns), ns) ?? TextConstruct(First(feed, ("title", Namespaces.DublinCore)), ns),
        Link = AlternateLink(feed, ns),
        Description = TextConstruct(feed.Element("subtitle", ns), ns) ?? TextConstruct(feed.Element("tagline", ns), ns)
            ?? TextConstruct(First(feed, ("subtitle", Namespaces.Itunes)), ns),
        Language = Text(feed, ("language", Namespaces.DublinCore)) ?? feed.Language,
        Updated = Date(feed, ("updated", ns), ("modified", ns), ("date", Namespaces.DublinCore), ("modified", Namespaces.DcTerms)),
        Published = Date(feed, ("published", ns), ("issued", ns), ("issued", Namespaces.DcTerms)),
        Image = (feed.Element("logo", ns) is { } logo ? Url(logo, logo.TrimmedText) : null)
            ?? ItunesImage(feed),
        Authors = feed.Elements("author", ns).Select(AtomPerson).OfType<ParsedPerson>().ToList(),
        BaseUri = feed.BaseUri,
        // Atom has no ttl of its own, but some Atom feeds carry the Syndication module's hints.
        UpdatePeriod = Text(feed, ("updatePeriod", Namespaces.Syndication)),
        UpdateFrequency = Text(feed, ("updateFrequency", Namespaces.Syndication)),
    };

    private static ParsedEntry ReadEntry(FeedElement entry, string ns)
    {
        // atom:author and atom:category are this reader's own elements, so the module fields skip them.
        var authors = entry.Elements("author", ns).Select(AtomPerson).OfType<ParsedPerson>().Concat(Authors(entry, includeAtom: false)).ToList();
        var categories = entry.Elements("category", ns).Select(c => NullIfEmpty(c.Attribute("term")) ?? NullIfEmpty(c.Attribute("label")) ?? c.TrimmedText)
            .Concat(Categories(entry, includeAtom: false));
        // RFC 4287 §4.1.2 summary and content, with what the modules offer (dc:description, itunes:summary, media:description).
        var summaries = entry.Elements()
            .Where(e => e.Is("summary", ns) || e.Is("description", Namespaces.DublinCore) || e.Is("summary", Namespaces.Itunes))
            .Select(e => TextConstruct(e, ns)).OfType<FeedText>().ToList();
        var (summary, content) = SummaryAndContent(summaries, TextConstruct(entry.Element("content", ns), ns), TextConstruct(MediaDescription(entry), ns));
        return new ParsedEntry
        {
            Id = entry.Element("id", ns)?.TrimmedText,
            IdIsPermaLink = false,
            Title = TextConstruct(entry.Element("title", ns), ns) ?? TextConstruct(First(entry, ("title", Namespaces.DublinCore)), ns),
            Link = AlternateLink(entry, ns),
            Summary = summary,
            Content = content,
            Authors = authors,
            // Atom 0.3 (draft-ietf-atompub-format-03 §4.13–4.15) has three dates: issued (publication: "published"),
            // modified (the last change: "updated") and created, which is neither: an entry with only created has no
            // publication date, as in the reference parser.
            Published = Date(entry, ("published", ns), ("issued", ns), ("issued", Namespaces.DcTerms)),
            Updated = Date(entry, ("updated", ns), ("modified", ns), ("date", Namespaces.DublinCore), ("modified", Namespaces.DcTerms)),
            Categories = Distinct(categories),
            Enclosures = AtomEnclosures(entry, ns).ToList(),
            Images = Images(entry),
            BaseUri = entry.BaseUri,
        };
    }

    /// <summary>
    /// An Atom text construct (RFC 4287 §3.1; Atom 0.3 content constructs). <c>type</c> says text, html or
    /// xhtml (or, in 0.3 and in careless 1.0 feeds, a MIME type); 0.3 <c>mode="base64"</c> and 1.0 non-text
    /// MIME types are base64. Inline child elements are markup whatever the type says.
    /// </summary>
    public static FeedText? TextConstruct(FeedElement? element, string ns)
    {
        if (element is null || element.Nodes.Count == 0)
            return null;
        var type = element.Attribute("type")?.Trim().ToLowerInvariant() ?? "";
        var mode = element.Attribute("mode")?.Trim().ToLowerInvariant() ?? "";
        FeedText? text;
        if (mode == "base64" || (mode.Length == 0 && IsBinaryType(type)))
            text = new FeedText(Base64(element.Text), type is "text" or "text/plain" ? TextKind.Text : TextKind.Html);
        else if (element.HasElements)
        {
            // type="html" around inline elements (TypePad): the text between them is escaped HTML.
            var html = type is "html" or "text/html";
            text = new FeedText(XhtmlMarkup(element, textIsHtml: html), html ? TextKind.Html : TextKind.Xhtml);
        }
        else
        {
            var kind = type switch
            {
                "html" or "text/html" => TextKind.Html,
                "xhtml" or "application/xhtml+xml" => TextKind.Html, // xhtml with no elements: escaped markup or text
                _ when mode == "escaped" && type is not ("text" or "text/plain") => TextKind.Html,
                _ when type.Contains("html", StringComparison.Ordinal) => TextKind.Html,
                _ => TextKind.Text,
            };
            text = new FeedText(element.Text, kind);
        }
        return string.IsNullOrWhiteSpace(text.Value) ? null : text with { BaseUri = element.BaseUri };
    }

    /// <summary>The inner markup of inline XHTML, without the wrapping <c>div</c> RFC 4287 §3.1.1.3 asks for.</summary>
    private static string XhtmlMarkup(FeedElement element, bool textIsHtml)
    {
        var children = element.Elements().ToList();
        var onlyDiv = children is [{ LocalName: "div" } div] && div.Namespace is Namespaces.Xhtml or ""
            && element.Nodes.OfType<string>().All(string.IsNullOrWhiteSpace);
        return onlyDiv ? children[0].InnerMarkup(textIsHtml) : element.InnerMarkup(textIsHtml);
    }

    private static bool IsBinaryType(string type) =>
        type.Contains('/', StringComparison.Ordinal) && !type.StartsWith("text/", StringComparison.Ordinal)
        && !type.EndsWith("xml", StringComparison.Ordinal) && !type.Contains("html", StringComparison.Ordinal);

    private static string Base64(string text)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(string.Concat(text.Where(c => !char.IsWhiteSpace(c)))));
        }
        catch (FormatException)
        {
            return text;
        }
    }
}
