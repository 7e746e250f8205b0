using System.Xml;

namespace Feeds.Core.Parsing;

/// <summary>
/// Bytes → <see cref="ParsedFeed"/>. Detects the format from the content (never the file name or
/// Content-Type) and hands the document to the reader for that format.
/// </summary>
public static class FeedParser
{
    public static ParsedFeed Parse(ReadOnlyMemory<byte> bytes)
    {
        if (bytes.Span.Trim((byte)' ').IsEmpty)
            throw new FeedParseException("not a feed: the document is empty");
        try
        {
            return ParseXml(() => SafeXml.Open(bytes));
        }
        catch (XmlException)
        {
            // Real feeds use HTML entities and bare '&' that XML forbids; repair and read once more.
            var repaired = SafeXml.RepairEntities(bytes);
            try
            {
                return ParseXml(() => SafeXml.Open(repaired));
            }
            catch (XmlException e)
            {
                throw new FeedParseException($"not well-formed XML at line {e.LineNumber}, position {e.LinePosition}: {e.Message}", e);
            }
        }
    }

    private static ParsedFeed ParseXml(Func<XmlReader> open)
    {
        var format = DetectFormat(open);
        using var reader = open();
        return format switch
        {
            FeedFormat.Rss20 or FeedFormat.Atom10 => SyndicationFeedReader.Read(reader, format),
            FeedFormat.Rss09x or FeedFormat.Rss10 or FeedFormat.Atom03 =>
                throw new FeedParseException($"the {format} format is recognised but not read yet; RSS 2.0 and Atom 1.0 are supported"),
            _ => throw new FeedParseException("not a feed: the document is XML but its root is neither <rss> nor an Atom <feed>"),
        };
    }

    private static FeedFormat DetectFormat(Func<XmlReader> open)
    {
        using var reader = open();
        if (reader.MoveToContent() != XmlNodeType.Element)
            throw new FeedParseException("not a feed: no root element");
        return (reader.LocalName, reader.NamespaceURI) switch
        {
            ("rss", "") => reader.GetAttribute("version") is { } version && version.StartsWith("0.9", StringComparison.Ordinal) ? FeedFormat.Rss09x : FeedFormat.Rss20,
            ("feed", Namespaces.Atom) => FeedFormat.Atom10,
            ("feed", Namespaces.Atom03) => FeedFormat.Atom03,
            ("RDF", Namespaces.Rdf) => FeedFormat.Rss10,
            ("html", _) => throw new FeedParseException("not a feed: the document is an HTML page"),
            var (name, ns) => throw new FeedParseException($"not a feed: the root element is <{name}>{(ns.Length > 0 ? $" in namespace {ns}" : "")}"),
        };
    }
}

/// <summary>XML namespaces of the feed formats and the extension modules news feeds use.</summary>
public static class Namespaces
{
    public const string Atom = "http://www.w3.org/2005/Atom";
    public const string Atom03 = "http://purl.org/atom/ns#";
    public const string Rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    public const string Content = "http://purl.org/rss/1.0/modules/content/";
    public const string DublinCore = "http://purl.org/dc/elements/1.1/";
    public const string Media = "http://search.yahoo.com/mrss/";
    public const string Itunes = "http://www.itunes.com/dtds/podcast-1.0.dtd";
}
