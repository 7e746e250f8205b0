using System.Net.Http.Headers;

namespace Feeds.Core.Parsing;

/// <summary>
/// Bytes → <see cref="ParsedFeed"/>: decodes the text (<see cref="FeedDecoder"/>), detects the format from the
/// content, and hands the document to the reader for that format. Every XML format is read from one tolerant
/// tree (<see cref="TolerantXmlParser"/>) instead of System.ServiceModel.Syndication, which reads only RSS 2.0 and
/// Atom 1.0 and loses a whole feed on one bad element; Syndication stays for writing our own feeds.
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
        using var decoded = FeedDecoder.Decode(bytes.Span, httpCharset);
        var text = decoded.Text;
        var start = text.Span.TrimStart();
        if (start.IsEmpty || start is ['\0', ..])
            throw new FeedParseException("not a feed: the document is empty", ParseFailure.NotAFeed);
        if (start[0] is '{' or '[')
            return JsonFeedReader.Read(text);
        var root = TolerantXmlParser.Parse(text)
            ?? throw new FeedParseException("not a feed: the document has no XML element (is it plain text?)", ParseFailure.NotAFeed);
        var format = FormatDetector.Detect(root);
        return format switch
        {
            FeedFormat.Atom10 or FeedFormat.Atom03 => AtomReader.Read(root, format),
            _ => RssReader.Read(root, format),
        };
    }

    /// <summary>The <c>charset</c> parameter of a Content-Type header value, unquoted; null when there is none.</summary>
    public static string? CharsetOf(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var mediaType) && mediaType.CharSet is { } charset
            && charset.Trim('"', '\'', ' ') is { Length: > 0 } name
            ? name
            : null;
}
