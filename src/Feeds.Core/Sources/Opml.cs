using System.Xml;
using System.Xml.Linq;

namespace Feeds.Core.Sources;

/// <summary>One feed listed in an OPML file (http://opml.org/spec2.opml, subscription lists).</summary>
/// <param name="Folder">The title of the enclosing outline, if the reader grouped its feeds in folders.</param>
public sealed record OpmlFeed(string Title, Uri XmlUrl, Uri? HtmlUrl, string? Folder);

/// <summary>Reads subscription lists exported by other readers, and writes ours.</summary>
public static class Opml
{
    private static readonly XmlReaderSettings SafeSettings = new()
    {
        DtdProcessing = DtdProcessing.Ignore,
        XmlResolver = null,
        MaxCharactersFromEntities = 1024,
        MaxCharactersInDocument = 64L * 1024 * 1024,
    };

    /// <summary>Every outline with an http(s) <c>xmlUrl</c>, in document order.</summary>
    /// <exception cref="FormatException">The file is not OPML; the message says why.</exception>
    public static IReadOnlyList<OpmlFeed> ReadFeeds(Stream stream)
    {
        XDocument document;
        try
        {
            using var reader = XmlReader.Create(stream, SafeSettings);
            document = XDocument.Load(reader);
        }
        catch (XmlException e)
        {
            throw new FormatException($"not well-formed XML at line {e.LineNumber}, position {e.LinePosition}: {e.Message}", e);
        }
        if (document.Root?.Name.LocalName != "opml")
            throw new FormatException($"not OPML: the root element is <{document.Root?.Name.LocalName}>, not <opml>");
        return document.Descendants("outline")
            .Select(outline => (Outline: outline, Url: Attribute(outline, "xmlUrl")))
            .Where(o => o.Url is not null && Uri.TryCreate(o.Url, UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
            .Select(o => new OpmlFeed(
                Attribute(o.Outline, "title") ?? Attribute(o.Outline, "text") ?? new Uri(o.Url!).Host,
                new Uri(o.Url!),
                Uri.TryCreate(Attribute(o.Outline, "htmlUrl"), UriKind.Absolute, out var html) ? html : null,
                o.Outline.Parent is { Name.LocalName: "outline" } folder ? Attribute(folder, "title") ?? Attribute(folder, "text") : null))
            .ToList();
    }

    /// <summary>The configured sources as OPML 2.0, one folder per section (a source in two sections is listed in both).</summary>
    public static string WriteSources(FeedsConfig config)
    {
        var body = new XElement("body", config.Sections.Select(section => new XElement("outline",
            new XAttribute("text", section.Title),
            new XAttribute("title", section.Title),
            config.SourcesOf(section).Select(source => new XElement("outline",
                new XAttribute("type", "rss"),
                new XAttribute("text", source.Title),
                new XAttribute("title", source.Title),
                new XAttribute("xmlUrl", source.Location.Url?.AbsoluteUri ?? new Uri(source.Location.FilePath!).AbsoluteUri))))));
        var opml = new XDocument(new XDeclaration("1.0", "utf-8", null),
            new XElement("opml", new XAttribute("version", "2.0"), new XElement("head", new XElement("title", "Feeds sources")), body));
        return opml.Declaration + Environment.NewLine + opml.Root;
    }

    private static string? Attribute(XElement element, string name) =>
        element.Attributes().FirstOrDefault(a => a.Name.LocalName.Equals(name, StringComparison.OrdinalIgnoreCase))?.Value is { Length: > 0 } value ? value.Trim() : null;
}
