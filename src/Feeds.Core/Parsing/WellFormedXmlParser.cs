using System.Globalization;
using System.Xml;

namespace Feeds.Core.Parsing;

/// <summary>
/// The fast path for the feeds most sources serve, well-formed XML: builds with <see cref="XmlReader"/> the same
/// <see cref="FeedElement"/> tree <see cref="TolerantXmlParser"/> builds for that text, several times faster. It
/// gives up (returns null) on any <see cref="XmlException"/> and on every construct the two would read apart, so
/// the caller's tolerant parse decides those documents:
/// <list type="bullet">
/// <item>entity references other than XML's five (HTML and DTD entities): the DTD is ignored, so XmlReader rejects them;</item>
/// <item>a DOCTYPE with an internal subset, or a quoted <c>&gt;</c> (<see cref="HasDoctypeReadOtherwise"/>);</item>
/// <item>character references the tolerant parser reads otherwise (<see cref="HasCharacterReferencesReadOtherwise"/>);</item>
/// <item>names with characters outside the tolerant parser's name characters;</item>
/// <item>an HTML void element written with an end tag (the tolerant parser never lets one hold anything);</item>
/// <item>a processing instruction with a <c>&gt;</c> inside (the tolerant parser ends it there).</item>
/// </list>
/// Safety: no DTD is read and nothing is fetched; the nesting bound is the tolerant parser's.
/// </summary>
internal static class WellFormedXmlParser
{
    private const string XmlnsNamespace = "http://www.w3.org/2000/xmlns/";

    /// <summary>The tree of a well-formed document, or null when the tolerant parser must read it.</summary>
    public static FeedElement? TryParse(string text)
    {
        if (HasCharacterReferencesReadOtherwise(text) || HasDoctypeReadOtherwise(text))
            return null;
        // XmlTextReader rather than XmlReader.Create: only it can leave line ends and whitespace in attribute
        // values as written (Normalization = false, XML 1.0 §2.11 and §3.3.3 not applied), which the tolerant
        // parser does too. Character references it would then let through are screened above.
        using var reader = new XmlTextReader(new StringReader(text))
        {
            DtdProcessing = DtdProcessing.Ignore,
            XmlResolver = null,
            EntityHandling = EntityHandling.ExpandEntities,
            Normalization = false,
            WhitespaceHandling = WhitespaceHandling.All,
        };
        try
        {
            return new TreeBuilder(reader).Build();
        }
        catch (XmlException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether a <c>&amp;#</c> reference would not read as the code point it names, as XML reads it: the tolerant
    /// parser reads C1 controls (128–159) as windows-1252, NUL, surrogates and code points past U+10FFFF as
    /// U+FFFD, and more than 8 digits, or a reference longer than its 40-character window, as plain text.
    /// Looks at the raw text, so a <c>&amp;#</c> in a CDATA section or a comment also counts: that only costs speed.
    /// </summary>
    internal static bool HasCharacterReferencesReadOtherwise(string text)
    {
        for (var at = text.IndexOf("&#", StringComparison.Ordinal); at >= 0; at = text.IndexOf("&#", at + 2, StringComparison.Ordinal))
        {
            var window = text.AsSpan(at, Math.Min(text.Length - at, 40));
            var semicolon = window.IndexOf(';');
            if (semicolon < 0)
                return true;
            var digits = window[2..semicolon];
            var hex = digits is ['x', ..];
            var number = hex ? digits[1..] : digits;
            if (number.IsEmpty || number.Length > 8
                || !int.TryParse(number, hex ? NumberStyles.AllowHexSpecifier : NumberStyles.None, CultureInfo.InvariantCulture, out var code)
                || code is 0 or (>= 0x80 and <= 0x9F) or (>= 0xD800 and <= 0xDFFF) or > 0x10FFFF)
                return true;
        }
        return false;
    }

    /// <summary>
    /// Whether the document has a DOCTYPE the tolerant parser reads otherwise than XmlReader, which here skips it
    /// unread (<see cref="DtdProcessing.Ignore"/>, so it is never reported): one with an internal subset, whose
    /// entities the tolerant parser expands, or one it would end early, at a <c>&gt;</c> inside a quoted identifier.
    /// A DOCTYPE can only be in the prolog, so the first <c>&lt;!DOCTYPE</c> is the one, if there is one.
    /// </summary>
    internal static bool HasDoctypeReadOtherwise(string text)
    {
        var start = text.IndexOf("<!DOCTYPE", StringComparison.Ordinal);
        if (start < 0)
            return false;
        var end = text.IndexOf('>', start);
        if (end < 0)
            return true;
        var declaration = text.AsSpan(start, end - start);
        return declaration.Contains('[') || declaration.Count('"') % 2 != 0 || declaration.Count('\'') % 2 != 0;
    }

    /// <summary>One document's walk: the open element, and tables that let a feed's thousands of repeated names cost one check each.</summary>
    private sealed class TreeBuilder(XmlTextReader reader)
    {
        private readonly Dictionary<string, string> _canonical = new(StringComparer.Ordinal);
        // Names come atomized from the reader's name table, so the same name is the same string.
        private readonly HashSet<string> _checkedNames = new(ReferenceEqualityComparer.Instance);
        private FeedElement? _root;
        private FeedElement? _open;

        /// <summary>The root, or null when the document holds something the tolerant parser would read otherwise.</summary>
        public FeedElement? Build()
        {
            while (reader.Read())
            {
                var understood = reader.NodeType switch
                {
                    XmlNodeType.Element => OpenElement(),
                    XmlNodeType.EndElement => CloseElement(),
                    XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace => AddText(reader.Value),
                    // Both parsers drop comments, so the text around one joins into one string.
                    XmlNodeType.Comment or XmlNodeType.XmlDeclaration => true,
                    XmlNodeType.ProcessingInstruction => !reader.Value.Contains('>', StringComparison.Ordinal),
                    _ => false,
                };
                if (!understood)
                    return null;
                if (_root is not null && _open is null)
                    return _root; // what follows the root is junk to the tolerant parser: never read it
            }
            return null; // a document cut off inside its root: the tolerant parser keeps what it can
        }

        private bool OpenElement()
        {
            // The tolerant parser's bound and error, at the same element: reader.Depth counts the open ancestors.
            if (reader.Depth >= TolerantXmlParser.MaxDepth)
                throw TolerantXmlParser.NestingTooDeep();
            if (!IsTolerantName(reader.Name))
                return false;
            var element = new FeedElement(reader.Name, reader.LocalName, Canonical(reader.NamespaceURI), _open);
            if (TolerantXmlParser.IsHtmlVoid(element) && !reader.IsEmptyElement)
                return false;
            var isEmpty = reader.IsEmptyElement;
            while (reader.MoveToNextAttribute())
            {
                if (!IsTolerantName(reader.Name))
                    return false;
                if (reader.NamespaceURI == XmlnsNamespace)
                    (element.Declarations ??= []).Add(Canonical(reader.Value));
                else
                    element.Attributes.Add(new FeedAttribute(reader.Name, reader.LocalName, Canonical(reader.NamespaceURI), reader.Value));
            }
            if (_open is null)
                _root = element;
            else
                _open.Nodes.Add(element);
            if (!isEmpty)
                _open = element;
            return true;
        }

        private bool CloseElement()
        {
            _open = _open?.Parent;
            return true;
        }

        private bool AddText(string value)
        {
            if (_open is null || value.Length == 0)
                return true; // whitespace around the root
            var nodes = _open.Nodes;
            if (nodes.Count > 0 && nodes[^1] is string previous)
                nodes[^1] = previous + value;
            else
                nodes.Add(value);
            return true;
        }

        private bool IsTolerantName(string name)
        {
            if (_checkedNames.Contains(name))
                return true;
            if (!TolerantXmlParser.IsName(name))
                return false;
            _checkedNames.Add(name);
            return true;
        }

        private string Canonical(string uri)
        {
            if (uri.Length == 0)
                return "";
            if (!_canonical.TryGetValue(uri, out var canonical))
                _canonical[uri] = canonical = Namespaces.Canonical(uri);
            return canonical;
        }
    }
}
