using System.Net.Http.Headers;

namespace Feeds.Core.Parsing;

/// <summary>
/// Bytes → <see cref="ParsedFeed"/>: decodes the text (<see cref="FeedDecoder"/>), detects the format from the
/// content, and hands the document to the reader for that format. Every XML format is read from one tolerant
/// tree (<see cref="TolerantXmlParser"/>) instead of System.ServiceModel.Syndication, which reads only RSS 2.0 and
/// Atom 1.0 and loses a whole feed on one bad element; Syndication stays for writing our own feeds. Items are mapped
/// as their element closes and taken out of the tree, so the tree never holds more than the channel and one item: a
/// document of 100,000 items would otherwise cost ten times its size in elements before the first was read.
/// </summary>
public static class FeedParser
{
    /// <param name="bytes">The document.</param>
    /// <param name="httpCharset">
    /// The <c>charset</c> parameter of the HTTP Content-Type (see <see cref="CharsetOf"/>) when the bytes were fetched:
    /// it outranks the XML declaration, and a byte order mark outranks it (RFC 7303 §3).
    /// </param>
    public static ParsedFeed Parse(ReadOnlyMemory<byte> bytes, string? httpCharset = null)
    {
        var entries = new AllEntries();
        var feed = Parse(bytes, httpCharset, entries);
        return feed with { Entries = entries.InOrder() };
    }

    /// <summary>
    /// The document's format and channel, its entries going to <paramref name="entries"/> one by one instead of into
    /// <see cref="ParsedFeed.Entries"/> (left empty): each item's elements are let go once it is mapped, so what the
    /// document costs beyond its text is what the sink keeps.
    /// </summary>
    internal static ParsedFeed Parse(ReadOnlyMemory<byte> bytes, string? httpCharset, IEntrySink entries)
    {
        using var decoded = FeedDecoder.Decode(bytes.Span, httpCharset);
        var text = decoded.Text;
        var start = text.Span.TrimStart();
        if (start.IsEmpty || start is ['\0', ..])
            throw new FeedParseException("not a feed: the document is empty", ParseFailure.NotAFeed);
        if (start[0] is '{' or '[')
        {
            var json = JsonFeedReader.Read(text);
            for (var i = 0; i < json.Entries.Count; i++)
                entries.Add(json.Entries[i], i, () => json.Channel);
            return json with { Entries = [] };
        }
        var taker = new EntryTaker(entries);
        var root = TolerantXmlParser.Parse(text, taker.TakeIfEntry)
            ?? throw new FeedParseException("not a feed: the document has no XML element (is it plain text?)", ParseFailure.NotAFeed);
        var format = FormatDetector.Detect(root, taker.TookRss090Item);
        if (FormatDetector.FamilyOf(root) == FeedFamily.AtomEntry)
        {
            var channel = AtomReader.EntryDocumentChannel(root);
            entries.Add(AtomReader.ReadEntryDocument(root), 0, () => channel);
            return new ParsedFeed(format, channel, []);
        }
        return new ParsedFeed(format, format is FeedFormat.Atom10 or FeedFormat.Atom03 ? AtomReader.ReadChannel(root) : RssReader.ReadChannel(root), []);
    }

    /// <summary>Hands each closing element to the reader of the document's family, known once the first element closes.</summary>
    private sealed class EntryTaker(IEntrySink entries)
    {
        private Func<FeedElement, bool>? _takeIfEntry;
        private RssReader.ItemTaker? _rss;

        public bool TookRss090Item => _rss?.TookRss090Item == true;

        public bool TakeIfEntry(FeedElement element)
        {
            if (_takeIfEntry is null)
            {
                var root = element;
                while (root.Parent is { } parent)
                    root = parent;
                _takeIfEntry = FormatDetector.FamilyOf(root) switch
                {
                    FeedFamily.Rss => (_rss = new RssReader.ItemTaker(root, entries)).TakeIfItem,
                    FeedFamily.Atom => new AtomReader.EntryTaker(root, entries).TakeIfEntry,
                    _ => _ => false,
                };
            }
            return _takeIfEntry(element);
        }
    }

    /// <summary>The <c>charset</c> parameter of a Content-Type header value, unquoted; null when there is none.</summary>
    public static string? CharsetOf(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var mediaType) && mediaType.CharSet is { } charset
            && charset.Trim('"', '\'', ' ') is { Length: > 0 } name
            ? name
            : null;
}
