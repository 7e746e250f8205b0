using System.Text;
using System.Text.RegularExpressions;
using System.Xml;

namespace Feeds.Core.Parsing;

/// <summary>
/// The only way feed XML is opened: DTDs ignored, no resolver (no XXE, no network), entity expansion and
/// document size bounded. Also repairs the most common breakage of real feeds, HTML entities and bare
/// ampersands, which no safe reader setting accepts.
/// </summary>
internal static partial class SafeXml
{
    /// <summary>Bounds a document at 64 M characters; the fetcher caps bytes well below this.</summary>
    private const long MaxCharactersInDocument = 64L * 1024 * 1024;

    public static XmlReaderSettings Settings { get; } = new()
    {
        DtdProcessing = DtdProcessing.Ignore,
        XmlResolver = null,
        MaxCharactersFromEntities = 1024,
        MaxCharactersInDocument = MaxCharactersInDocument,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = false,
        CloseInput = true,
    };

    public static XmlReader Open(ReadOnlyMemory<byte> bytes) =>
        XmlReader.Create(new MemoryStream(bytes.ToArray(), writable: false), Settings);

    public static XmlReader Open(string text) => XmlReader.Create(new StringReader(text), Settings);

    /// <summary>
    /// Decodes the document and rewrites what XML rejects but feeds are full of: HTML named entities
    /// (<c>&amp;eacute;</c>, <c>&amp;nbsp;</c>) become numeric references and bare <c>&amp;</c> becomes <c>&amp;amp;</c>.
    /// </summary>
    public static string RepairEntities(ReadOnlyMemory<byte> bytes) =>
        EntityPattern().Replace(Decode(bytes), match =>
        {
            var name = match.Groups["name"];
            if (!name.Success)
                return "&amp;";
            if (name.Value is "amp" or "lt" or "gt" or "quot" or "apos" || name.Value.StartsWith('#'))
                return match.Value;
            var decoded = System.Net.WebUtility.HtmlDecode(match.Value);
            return decoded == match.Value ? "&amp;" + name.Value + ";" : string.Concat(decoded.EnumerateRunes().Select(r => $"&#{r.Value};"));
        });

    /// <summary>Decodes by BOM, then the XML declaration, then UTF-8.</summary>
    public static string Decode(ReadOnlyMemory<byte> bytes)
    {
        using var reader = new StreamReader(new MemoryStream(bytes.ToArray()), DeclaredEncoding(bytes.Span) ?? Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    private static Encoding? DeclaredEncoding(ReadOnlySpan<byte> bytes)
    {
        var head = Encoding.ASCII.GetString(bytes[..Math.Min(bytes.Length, 200)]);
        var match = DeclarationEncodingPattern().Match(head);
        if (!match.Success)
            return null;
        try
        {
            return Encoding.GetEncoding(match.Groups[1].Value);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"&(?:(?<name>#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});)?")]
    private static partial Regex EntityPattern();

    [GeneratedRegex(@"<\?xml[^>]*encoding\s*=\s*[""']([A-Za-z0-9._:-]+)[""']")]
    private static partial Regex DeclarationEncodingPattern();
}
