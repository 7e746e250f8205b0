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

    /// <summary>The first date among <paramref name="names"/> that parses; unparseable dates are skipped, never fatal.</summary>
    public static DateTimeOffset? Date(FeedElement parent, params ReadOnlySpan<(string Local, string Ns)> names)
    {
        foreach (var (local, ns) in names)
        {
            foreach (var element in parent.Elements(local, ns))
            {
                if (FeedDates.Parse(element.Text) is { } date)
                    return date;
            }
        }
        return null;
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

    /// <summary>Atom <c>author</c>: <c>name</c>, <c>email</c>, <c>uri</c> (Atom 0.3: <c>url</c>).</summary>
    public static ParsedPerson? AtomPerson(FeedElement author)
    {
        string? Child(string name) => author.Elements().FirstOrDefault(e => e.Is(name, e.Namespace) && e.TrimmedText is not null)?.TrimmedText;
        var person = new ParsedPerson(Child("name"), Child("email"), Child("uri") ?? Child("url"));
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

    /// <summary>dc:subject, media:category (also in media:group), itunes:category@text (nested too), atom:category@term.</summary>
    public static IEnumerable<string?> Categories(FeedElement parent, bool includeAtom = true)
    {
        foreach (var element in parent.Elements())
        {
            if (element.Is("subject", Namespaces.DublinCore) || element.Is("category", Namespaces.Media))
                yield return element.TrimmedText;
            else if (element.Is("group", Namespaces.Media))
            {
                foreach (var category in element.Elements("category", Namespaces.Media))
                    yield return category.TrimmedText;
            }
            else if (element.Is("category", Namespaces.Itunes))
            {
                yield return element.Attribute("text");
                foreach (var nested in element.Elements("category", Namespaces.Itunes))
                    yield return nested.Attribute("text");
            }
            else if (includeAtom && element.Is("category", Namespaces.Atom))
                yield return element.Attribute("term") ?? element.Attribute("label");
        }
    }

    /// <summary>Image candidates in SCHEMA.md order: media:thumbnail (anywhere in media groups/content), image media:content, itunes:image.</summary>
    public static List<string> Images(FeedElement parent)
    {
        var media = new List<FeedElement>();
        foreach (var element in parent.Elements())
        {
            if (element.Is("group", Namespaces.Media))
            {
                foreach (var inner in element.Elements())
                {
                    media.Add(inner);
                    media.AddRange(inner.Elements());
                }
            }
            else if (element.Namespace == Namespaces.Media)
            {
                media.Add(element);
                media.AddRange(element.Elements());
            }
        }
        var images = new List<string?>();
        images.AddRange(media.Where(e => e.Is("thumbnail", Namespaces.Media)).Select(e => Url(e, e.Attribute("url"))));
        images.AddRange(media.Where(e => e.Is("content", Namespaces.Media) && IsImage(e)).Select(e => Url(e, e.Attribute("url"))));
        images.AddRange(parent.Elements("image", Namespaces.Itunes).Select(ItunesImage));
        return images.OfType<string>().ToList();
    }

    public static string? ItunesImage(FeedElement image) =>
        Url(image, image.Attribute("href") ?? image.Attribute("url") ?? image.TrimmedText);

    private static bool IsImage(FeedElement mediaContent) =>
        string.Equals(mediaContent.Attribute("medium"), "image", StringComparison.OrdinalIgnoreCase)
        || mediaContent.Attribute("type")?.Trim().StartsWith("image/", StringComparison.OrdinalIgnoreCase) == true;

    public static List<string> Distinct(IEnumerable<string?> values) =>
        values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim()).Distinct(StringComparer.Ordinal).ToList();

    public static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
