namespace Feeds.Core.Parsing;

/// <summary>
/// Fields from the extension modules every format carries (Dublin Core https://www.dublincore.org/specifications/dublin-core/dces/,
/// Media RSS https://www.rssboard.org/media-rss, iTunes podcast tags, Atom elements inside RSS) and the small
/// element helpers the readers share.
/// </summary>
internal static class ModuleFields
{
    /// <summary>The first element among <paramref name="names"/>, in that order of preference.</summary>
    public static FeedElement? First(FeedElement parent, params ReadOnlySpan<(string Local, string Ns)> names)
    {
        foreach (var (local, ns) in names)
        {
            if (parent.Element(local, ns) is { } found && found.TrimmedText is not null)
                return found;
        }
        return null;
    }

    public static string? Text(FeedElement parent, params ReadOnlySpan<(string Local, string Ns)> names) =>
        First(parent, names)?.TrimmedText;

    /// <summary>
    /// The date of the last element among <paramref name="names"/> in document order that parses. The names are one field
    /// written several ways (Atom 0.3 <c>issued</c> and 1.0 <c>published</c>; <c>lastBuildDate</c>, <c>dc:date</c> and
    /// <c>atom:updated</c>), so a later one restates the field, as in the reference parser, where each overwrites the one
    /// before. An unparseable date is skipped, never fatal.
    /// </summary>
    public static DateTimeOffset? Date(FeedElement parent, params ReadOnlySpan<(string Local, string Ns)> names)
    {
        DateTimeOffset? last = null;
        foreach (var element in parent.Elements())
        {
            foreach (var (local, ns) in names)
            {
                if (element.Is(local, ns))
                {
                    last = FeedDates.Parse(element.Text) ?? last;
                    break;
                }
            }
        }
        return last;
    }

    /// <summary>A URL attribute or text, resolved against the element's own xml:base when that is absolute.</summary>
    public static string? Url(FeedElement element, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            return null;
        value = value.Trim();
        return element.BaseUri is { IsAbsoluteUri: true } baseUri && Uri.TryCreate(baseUri, value, out var resolved) ? resolved.OriginalString : value;
    }

    /// <summary>The Atom alternate link (no <c>rel</c> means alternate, RFC 4287 §4.2.7.2), preferring text/html.</summary>
    public static string? AlternateLink(FeedElement parent, string atomNs)
    {
        FeedElement? best = null;
        foreach (var link in parent.Elements("link", atomNs))
        {
            var rel = link.Attribute("rel")?.Trim().ToLowerInvariant();
            if (rel is not (null or "" or "alternate") || string.IsNullOrWhiteSpace(link.Attribute("href")))
                continue;
            if (best is null || (link.Attribute("type") is "text/html" && best.Attribute("type") is not "text/html"))
                best = link;
        }
        return best is null ? null : Url(best, best.Attribute("href"));
    }

    /// <summary>Atom <c>link rel="enclosure"</c> (RFC 4287 §4.2.7.2).</summary>
    public static IEnumerable<ParsedEnclosure> AtomEnclosures(FeedElement parent, string atomNs) =>
        parent.Elements("link", atomNs)
            .Where(l => string.Equals(l.Attribute("rel")?.Trim(), "enclosure", StringComparison.OrdinalIgnoreCase))
            .Select(l => Url(l, l.Attribute("href")) is { } url ? new ParsedEnclosure(url, NullIfEmpty(l.Attribute("type")), Length(l.Attribute("length"))) : null)
            .OfType<ParsedEnclosure>();

    public static long? Length(string? text) => long.TryParse(text?.Trim(), out var length) && length >= 0 ? length : null;

    /// <summary>Atom <c>author</c>: <c>name</c>, <c>email</c>, <c>uri</c> (Atom 0.3: <c>url</c>, earlier drafts: <c>homepage</c>).</summary>
    public static ParsedPerson? AtomPerson(FeedElement author)
    {
        string? Child(string name) => author.Elements().FirstOrDefault(e => e.Is(name, e.Namespace) && e.TrimmedText is not null)?.TrimmedText;
        // Atom 1.0 uri; Atom 0.3 url (draft-ietf-atompub-format-03 §3.2.2); the pre-0.3 drafts' homepage.
        var person = new ParsedPerson(Child("name"), Child("email"), Child("uri") ?? Child("url") ?? Child("homepage"));
        if (person is { Name: null, Email: null, Uri: null })
            return author.TrimmedText is { } text ? new ParsedPerson(text, null, null) : null;
        return person;
    }

    /// <summary>dc:creator, dc:author, itunes:author and atom:author, in that order.</summary>
    public static IEnumerable<ParsedPerson> Authors(FeedElement parent, bool includeAtom = true)
    {
        foreach (var element in parent.Elements())
        {
            if (element.Is("creator", Namespaces.DublinCore) || element.Is("author", Namespaces.DublinCore))
            {
                if (element.TrimmedText is { } name)
                    yield return new ParsedPerson(name, null, null);
            }
        }
        foreach (var element in parent.Elements("author", Namespaces.Itunes))
        {
            if (element.TrimmedText is { } name)
                yield return new ParsedPerson(name, null, null);
        }
        foreach (var element in includeAtom ? parent.Elements("author", Namespaces.Atom) : [])
        {
            if (AtomPerson(element) is { } person)
                yield return person;
        }
    }

    /// <summary>
    /// Categories from the modules, as plain strings: <c>dc:subject</c> (Dublin Core: "the topic of the resource"),
    /// <c>media:category</c> (Media RSS §5: of the item, its <c>media:group</c> or its <c>media:content</c>),
    /// <c>media:keywords</c> and <c>itunes:keywords</c> (comma-separated lists), <c>itunes:category@text</c> at every
    /// level of its nesting (Apple's podcast spec: a subcategory is an <c>itunes:category</c> inside its parent), and
    /// <c>atom:category@term</c> (<c>@label</c> when it has no term, RFC 4287 §4.2.2).
    /// </summary>
    public static IEnumerable<string?> Categories(FeedElement parent, bool includeAtom = true)
    {
        foreach (var element in parent.Elements())
        {
            if (element.Is("subject", Namespaces.DublinCore))
                yield return element.TrimmedText;
            else if (element.Namespace == Namespaces.Media)
            {
                foreach (var category in MediaCategories(element))
                    yield return category;
            }
            else if (element.Is("keywords", Namespaces.Itunes))
            {
                foreach (var keyword in element.Text.Split(','))
                    yield return keyword;
            }
            else if (element.Is("category", Namespaces.Itunes))
            {
                foreach (var category in ItunesCategories(element))
                    yield return category;
            }
            else if (includeAtom && element.Is("category", Namespaces.Atom))
                yield return NullIfEmpty(element.Attribute("term")) ?? element.Attribute("label");
        }
    }

    /// <summary>Categories and keywords of one Media RSS element, looking inside <c>media:group</c> and <c>media:content</c>.</summary>
    private static IEnumerable<string?> MediaCategories(FeedElement media)
    {
        if (media.Is("category", Namespaces.Media))
            yield return media.TrimmedText;
        else if (media.Is("keywords", Namespaces.Media))
        {
            foreach (var keyword in media.Text.Split(','))
                yield return keyword;
        }
        else if (media.Is("group", Namespaces.Media) || media.Is("content", Namespaces.Media))
        {
            foreach (var inner in media.Elements())
            {
                if (inner.Namespace == Namespaces.Media)
                {
                    foreach (var category in MediaCategories(inner))
                        yield return category;
                }
            }
        }
    }

    private static IEnumerable<string?> ItunesCategories(FeedElement category)
    {
        yield return category.Attribute("text");
        foreach (var nested in category.Elements("category", Namespaces.Itunes))
        {
            foreach (var text in ItunesCategories(nested))
                yield return text;
        }
    }

    /// <summary>
    /// Which text is an entry's summary and which its content: SCHEMA.md's items table, with the reference parser's rule
    /// where that table is silent, several summaries.
    /// <list type="bullet">
    /// <item>The content is the entry's content element (<paramref name="content"/>, chosen by precedence whatever the
    /// document order).</item>
    /// <item>The summary is the first summary element written; when the entry has no content element, a second one is its
    /// content. feedparser's tests say it: an item "contains both description and summary elements" has the description
    /// as summary and the summary as content, and the other way round when they are written the other way round.</item>
    /// <item>With no summary element the summary is <paramref name="fallbackSummary"/> (a Media RSS description), and with
    /// none at all normalization gives the content as summary (SCHEMA.md).</item>
    /// </list>
    /// </summary>
    /// <param name="summariesAsWritten">The entry's summary elements, non-empty, in document order.</param>
    public static (FeedText? Summary, FeedText? Content) SummaryAndContent(List<FeedText> summariesAsWritten, FeedText? content, FeedText? fallbackSummary) =>
        (summariesAsWritten.Count > 0 ? summariesAsWritten[0] : fallbackSummary,
            content ?? (summariesAsWritten.Count > 1 ? summariesAsWritten[1] : null));

    /// <summary>
    /// The first Media RSS <c>media:description</c> (§5: "short description describing the media object") of the item, of
    /// its <c>media:group</c>, or of a <c>media:content</c> (also inside the group), in that order.
    /// </summary>
    public static FeedElement? MediaDescription(FeedElement parent)
    {
        var media = MediaElements(parent);
        return media.FirstOrDefault(e => e.Is("description", Namespaces.Media) && e.Parent == parent && e.TrimmedText is not null)
            ?? media.FirstOrDefault(e => e.Is("description", Namespaces.Media) && e.TrimmedText is not null);
    }

    /// <summary>The Media RSS elements of an item or entry, those inside <c>media:group</c> and <c>media:content</c> included.</summary>
    private static List<FeedElement> MediaElements(FeedElement parent)
    {
        var media = new List<FeedElement>();
        foreach (var element in parent.Elements())
        {
            if (element.Namespace != Namespaces.Media)
                continue;
            media.Add(element);
            foreach (var inner in element.Elements())
            {
                media.Add(inner);
                if (element.Is("group", Namespaces.Media))
                    media.AddRange(inner.Elements());
            }
        }
        return media;
    }

    /// <summary>
    /// Image candidates in SCHEMA.md order: <c>media:thumbnail</c> (anywhere in media groups and contents; its <c>url</c>,
    /// or its text, which some feeds write instead), an image <c>media:content</c>, then the iTunes image:
    /// <c>itunes:image@href</c> (Apple's podcast spec; <c>@url</c> and text in the wild) or <c>itunes:link rel="image"</c>.
    /// </summary>
    public static List<string> Images(FeedElement parent)
    {
        var media = MediaElements(parent);
        var images = new List<string?>();
        images.AddRange(media.Where(e => e.Is("thumbnail", Namespaces.Media)).Select(e => Url(e, e.Attribute("url") ?? e.TrimmedText)));
        images.AddRange(media.Where(e => e.Is("content", Namespaces.Media) && IsImage(e)).Select(e => Url(e, e.Attribute("url"))));
        images.Add(ItunesImage(parent));
        return images.OfType<string>().ToList();
    }

    /// <summary>
    /// The iTunes image of a channel or item: <c>itunes:image@href</c>, or the older <c>itunes:link rel="image"</c> that
    /// early podcast feeds wrote (the reference parser reads both the same way).
    /// </summary>
    public static string? ItunesImage(FeedElement parent) =>
        parent.Elements("image", Namespaces.Itunes).Select(ItunesImageUrl)
            .Concat(parent.Elements("link", Namespaces.Itunes).Select(link => Url(link, link.Attribute("href"))))
            .FirstOrDefault(url => url is not null);

    private static string? ItunesImageUrl(FeedElement image) =>
        Url(image, image.Attribute("href") ?? image.Attribute("url") ?? image.TrimmedText);

    private static bool IsImage(FeedElement mediaContent) =>
        string.Equals(mediaContent.Attribute("medium"), "image", StringComparison.OrdinalIgnoreCase)
        || mediaContent.Attribute("type")?.Trim().StartsWith("image/", StringComparison.OrdinalIgnoreCase) == true;

    public static List<string> Distinct(IEnumerable<string?> values) =>
        values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim()).Distinct(StringComparer.Ordinal).ToList();

    public static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
