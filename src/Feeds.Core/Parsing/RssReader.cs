using static Feeds.Core.Parsing.ModuleFields;

namespace Feeds.Core.Parsing;

/// <summary>
/// Reads the RSS family into a <see cref="ParsedFeed"/>: RSS 0.91–0.94 and 2.0 (https://www.rssboard.org/rss-specification,
/// elements in no namespace) and the RDF ones, RSS 0.90 and RSS 1.0 (https://web.resource.org/rss/1.0/spec, elements
/// in their namespace, items beside the channel instead of inside it). The element names are the same, so one
/// reader serves all; <see cref="IsCore"/> is the only difference it needs to know.
/// </summary>
internal static class RssReader
{
    /// <summary>
    /// Takes the items of a document out of it as they close (<see cref="TolerantXmlParser.Parse"/>) and hands each to
    /// <paramref name="entries"/> mapped: the items of the channel, or straight under the root, which RSS 1.0 writes beside
    /// the channel and some RSS 2.0 feeds write with no channel at all. What is left is the channel, for <see cref="ReadChannel(FeedElement)"/>.
    /// </summary>
    public sealed class ItemTaker(FeedElement root, IEntrySink entries)
    {
        // Items inside the channel are listed first, then those under the root, whatever the order they were written in.
        private const long UnderRoot = 1L << 40;
        private long _insideChannel;
        private long _underRoot;
        // Only the first channel is the channel: items of a second one are not read.
        private bool _channelClosed;

        /// <summary>Whether an item taken from under the root was in the RSS 0.90 namespace, which says a document is 0.90 (<see cref="FormatDetector"/>).</summary>
        public bool TookRss090Item { get; private set; }

        public bool TakeIfItem(FeedElement element)
        {
            if (element.Parent is not { } parent)
                return false;
            if (parent == root && IsChannel(element))
                _channelClosed = true;
            if (!IsItem(element))
                return false;
            long order;
            if (parent == root)
            {
                order = UnderRoot + _underRoot++;
                TookRss090Item |= element.Namespace == Namespaces.Rss090;
            }
            else if (parent.Parent == root && IsChannel(parent) && !_channelClosed)
                order = _insideChannel++;
            else
                return false;
            entries.Add(ReadItem(element), order, () => ReadChannel(root));
            return true;
        }
    }

    /// <summary>The channel of a document whose items were taken by an <see cref="ItemTaker"/>.</summary>
    public static ParsedChannel ReadChannel(FeedElement root) =>
        // Some feeds put items straight under <rss> with no <channel>.
        ReadChannel(root, root.Elements().FirstOrDefault(IsChannel) ?? root);

    private static bool IsChannel(FeedElement e) => e.Is("channel", e.Namespace) && IsCore(e);

    private static bool IsItem(FeedElement e) => e.Is("item", e.Namespace) && IsCore(e);

    /// <summary>RSS's own elements: no namespace (0.9x/2.0; userland namespaces map to none), RSS 1.0 or 0.90.</summary>
    private static bool IsCore(FeedElement e) => e.Namespace is "" or Namespaces.Rss10 or Namespaces.Rss090;

    private static FeedElement? Core(FeedElement parent, string name)
    {
        foreach (var node in parent.Nodes)
        {
            if (node is FeedElement element && IsCore(element) && element.Is(name, element.Namespace) && element.Nodes.Count > 0)
                return element;
        }
        return null;
    }

    private static ParsedChannel ReadChannel(FeedElement root, FeedElement channel)
    {
        // RSS 1.0 puts <image> beside the channel; 0.9x/2.0 inside it.
        var image = Core(channel, "image") ?? Core(root, "image");
        return new ParsedChannel
        {
            Title = PlainText(Core(channel, "title")) ?? PlainText(First(channel, ("title", Namespaces.DublinCore))),
            Link = Url(channel, Core(channel, "link")?.TrimmedText) ?? AlternateLink(channel, Namespaces.Atom),
            Description = Html(Core(channel, "description")) ?? Html(First(channel, ("description", Namespaces.DublinCore), ("subtitle", Namespaces.Itunes), ("summary", Namespaces.Itunes))),
            Language = Text(channel, ("language", ""), ("language", Namespaces.DublinCore)) ?? Core(channel, "language")?.TrimmedText ?? channel.Language,
            Updated = Date(channel, ("lastBuildDate", ""), ("date", Namespaces.DublinCore), ("modified", Namespaces.DcTerms), ("updated", Namespaces.Atom)),
            Published = Date(channel, ("pubDate", ""), ("issued", Namespaces.DcTerms), ("published", Namespaces.Atom)),
            Image = (image is null ? null : Url(image, Core(image, "url")?.TrimmedText ?? image.Attribute("resource", Namespaces.Rdf)))
                ?? ItunesImage(channel),
            Authors = Authors(channel).ToList(),
            BaseUri = channel.BaseUri,
            Ttl = Core(channel, "ttl")?.TrimmedText,
            UpdatePeriod = Text(channel, ("updatePeriod", Namespaces.Syndication)),
            UpdateFrequency = Text(channel, ("updateFrequency", Namespaces.Syndication)),
        };
    }

    private static ParsedEntry ReadItem(FeedElement item)
    {
        var guid = Core(item, "guid");
        var authors = new List<ParsedPerson>();
        if (Core(item, "author") is { } author)
            authors.Add(author.Elements().Any() && AtomPerson(author) is { } structured ? structured : new ParsedPerson(author.TrimmedText, null, null));
        authors.AddRange(Authors(item));
        var categories = item.Elements().Where(e => e.Is("category", e.Namespace) && IsCore(e)).Select(e => e.TrimmedText).Concat(Categories(item));
        var (summary, content) = SummaryAndContent(SummariesAsWritten(item), Content(item), BorrowedText(MediaDescription(item)));
        return new ParsedEntry
        {
            Id = guid?.TrimmedText ?? NullIfEmpty(item.Attribute("about", Namespaces.Rdf)),
            IdIsPermaLink = guid is not null && !string.Equals(guid.Attribute("isPermaLink")?.Trim(), "false", StringComparison.OrdinalIgnoreCase),
            Title = PlainText(Core(item, "title")) ?? PlainText(First(item, ("title", Namespaces.DublinCore))) ?? MediaTitle(item),
            Link = Url(item, Core(item, "link")?.TrimmedText) ?? AlternateLink(item, Namespaces.Atom),
            Summary = summary,
            Content = content,
            Authors = authors,
            Published = Date(item, ("pubDate", ""), ("issued", Namespaces.DcTerms), ("published", Namespaces.Atom)),
            Updated = Date(item, ("date", Namespaces.DublinCore), ("modified", Namespaces.DcTerms), ("updated", Namespaces.Atom)),
            Categories = Distinct(categories),
            Enclosures = item.Elements().Where(e => e.Is("enclosure", e.Namespace) && IsCore(e))
                .Select(e => Url(e, e.Attribute("url")) is { } url ? new ParsedEnclosure(url, NullIfEmpty(e.Attribute("type")), Length(e.Attribute("length"))) : null)
                .OfType<ParsedEnclosure>().Concat(AtomEnclosures(item, Namespaces.Atom)).ToList(),
            Images = Images(item),
            BaseUri = item.BaseUri,
        };
    }

    /// <summary>
    /// The item's summary elements in the order they are written (see <see cref="ModuleFields.SummaryAndContent"/>): the RSS
    /// <c>description</c>, <c>dc:description</c>, an Atom summary (<c>atom:summary</c>, or a <c>summary</c> in RSS's own
    /// namespace, which feeds copy from Atom) and <c>itunes:summary</c>.
    /// </summary>
    private static List<FeedText> SummariesAsWritten(FeedElement item)
    {
        var summaries = new List<FeedText>();
        foreach (var element in item.Elements())
        {
            var text = element switch
            {
                _ when IsCore(element) && element.Is("description", element.Namespace) => Html(element),
                _ when element.Is("description", Namespaces.DublinCore) || element.Is("summary", Namespaces.Itunes) => Html(element),
                _ when element.Is("summary", Namespaces.Atom) || (IsCore(element) && element.Is("summary", element.Namespace)) => BorrowedText(element),
                _ => null,
            };
            if (text is not null)
                summaries.Add(text);
        }
        return summaries;
    }

    /// <summary>
    /// The item's full content, by SCHEMA.md's precedence whatever the order: <c>content:encoded</c> (the RSS content
    /// module); an Atom content (<c>atom:content</c>, or a bare <c>content</c>; the first); inline <c>xhtml:body</c>;
    /// the RSS 0.9x-era <c>body</c> and <c>fullitem</c>.
    /// </summary>
    private static FeedText? Content(FeedElement item)
    {
        var body = item.Element("body", Namespaces.Xhtml);
        return Html(First(item, ("encoded", Namespaces.Content)))
            ?? BorrowedText(item.Element("content", Namespaces.Atom) ?? Core(item, "content"))
            ?? (body is not null && body.Nodes.Count > 0 ? new FeedText(body.InnerMarkup(), TextKind.Xhtml) { BaseUri = body.BaseUri } : null)
            ?? Html(Core(item, "body")) ?? Html(Core(item, "fullitem"));
    }

    /// <summary>
    /// A text construct RSS borrowed from Atom or Media RSS: read as its <c>type</c> says (<see cref="AtomReader.TextConstruct"/>,
    /// base64 included), except that text which looks like HTML is HTML (<see cref="HtmlSniffer"/>): RSS writers put
    /// escaped HTML there as they do in <c>description</c>, and leave the type at its default.
    /// </summary>
    private static FeedText? BorrowedText(FeedElement? element) => AtomReader.TextConstruct(element, Namespaces.Atom) switch
    {
        { Kind: TextKind.Text } text when HtmlSniffer.LooksLikeHtml(text.Value) => text with { Kind = TextKind.Html },
        var text => text,
    };

    private static FeedText? MediaTitle(FeedElement item) =>
        PlainText(item.Elements().SelectMany(IEnumerable<FeedElement> (e) => e.Is("group", Namespaces.Media) || e.Is("content", Namespaces.Media) ? e.Elements() : [e])
            .FirstOrDefault(e => e.Is("title", Namespaces.Media) && e.TrimmedText is not null));

    /// <summary>RSS titles are text; markup written raw inside them is kept as markup for normalization to strip.</summary>
    private static FeedText? PlainText(FeedElement? element) => element switch
    {
        null => null,
        { HasElements: true } => new FeedText(element.InnerMarkup(), TextKind.Html),
        _ when element.TrimmedText is null => null,
        _ => new FeedText(element.Text, TextKind.Text),
    };

    /// <summary>RSS descriptions are HTML by convention, escaped, in CDATA, or (ill-formed) written raw.</summary>
    private static FeedText? Html(FeedElement? element)
    {
        if (element is null)
            return null;
        var value = element.HasElements ? element.InnerMarkup() : element.Text;
        return string.IsNullOrWhiteSpace(value) ? null : new FeedText(value, TextKind.Html) { BaseUri = element.BaseUri };
    }
}
