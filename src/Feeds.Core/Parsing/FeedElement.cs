using System.Text;

namespace Feeds.Core.Parsing;

/// <summary>
/// One element of a feed document as <see cref="TolerantXmlParser"/> read it: namespace already resolved
/// (and mapped to the canonical URI of a known module, see <see cref="Namespaces"/>), text already decoded.
/// Children are <see cref="FeedElement"/>s or strings.
/// </summary>
internal sealed class FeedElement(string qualifiedName, string localName, string ns, FeedElement? parent)
{
    public string QualifiedName { get; } = qualifiedName;
    public string LocalName { get; } = localName;
    public string Namespace { get; } = ns;
    public FeedElement? Parent { get; } = parent;
    // Most elements of a feed have no attribute: their list is made for the first one.
    private List<FeedAttribute>? _attributes;

    public List<object> Nodes { get; } = [];

    public void AddAttribute(FeedAttribute attribute) => (_attributes ??= []).Add(attribute);

    /// <summary>The (canonical) namespaces this element declares, if any.</summary>
    public List<string>? Declarations { get; set; }

    /// <summary>Element names compare without case, as feed readers always have (<c>&lt;TiTlE&gt;</c>).</summary>
    public bool Is(string localName, string ns) => Namespace == ns && string.Equals(LocalName, localName, StringComparison.OrdinalIgnoreCase);

    public ElementList Elements() => new(Nodes, null, "");

    public ElementList Elements(string localName, string ns) => new(Nodes, localName, ns);

    // Readers ask for single elements dozens of times per item: a plain loop, no iterator.
    public FeedElement? Element(string localName, string ns)
    {
        foreach (var node in Nodes)
        {
            if (node is FeedElement element && element.Is(localName, ns))
                return element;
        }
        return null;
    }

    public bool HasElements => Nodes.Exists(n => n is FeedElement);

    public string? Attribute(string localName, string ns = "")
    {
        if (_attributes is null)
            return null;
        foreach (var attribute in _attributes)
        {
            if (attribute.Namespace == ns && string.Equals(attribute.LocalName, localName, StringComparison.OrdinalIgnoreCase))
                return attribute.Value;
        }
        return null;
    }

    /// <summary>All text below this element, markup removed.</summary>
    public string Text
    {
        get
        {
            if (Nodes is [string only])
                return only;
            var text = new StringBuilder();
            AppendText(text);
            return text.ToString();
        }
    }

    /// <summary>Trimmed text, or null when there is none.</summary>
    public string? TrimmedText => Text.Trim() is { Length: > 0 } text ? text : null;

    private void AppendText(StringBuilder text)
    {
        foreach (var node in Nodes)
        {
            if (node is string s)
                text.Append(s);
            else
                ((FeedElement)node).AppendText(text);
        }
    }

    /// <summary>
    /// The children as markup, for inline XHTML and raw HTML written into a feed. Text is escaped, unless
    /// <paramref name="textIsHtml"/>: then it is already HTML source (escaped HTML around inline elements).
    /// </summary>
    public string InnerMarkup(bool textIsHtml = false)
    {
        var markup = new StringBuilder();
        foreach (var node in Nodes)
            AppendMarkup(markup, node, textIsHtml);
        return markup.ToString();
    }

    private static readonly HashSet<string> HtmlVoidElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
    };

    private static void AppendMarkup(StringBuilder markup, object node, bool textIsHtml)
    {
        if (node is string text)
        {
            if (textIsHtml)
                markup.Append(text);
            else
                AppendEscaped(markup, text, inAttribute: false);
            return;
        }
        var element = (FeedElement)node;
        markup.Append('<').Append(element.QualifiedName);
        foreach (var attribute in element._attributes ?? [])
        {
            markup.Append(' ').Append(attribute.QualifiedName).Append("=\"");
            AppendEscaped(markup, attribute.Value, inAttribute: true);
            markup.Append('"');
        }
        // The markup goes to an HTML parser, where "<x />" only closes void elements.
        if (element.Nodes.Count == 0 && HtmlVoidElements.Contains(element.LocalName))
        {
            markup.Append(" />");
            return;
        }
        markup.Append('>');
        foreach (var child in element.Nodes)
            AppendMarkup(markup, child, textIsHtml);
        markup.Append("</").Append(element.QualifiedName).Append('>');
    }

    private static void AppendEscaped(StringBuilder markup, string text, bool inAttribute)
    {
        foreach (var c in text)
        {
            _ = c switch
            {
                '&' => markup.Append("&amp;"),
                '<' => markup.Append("&lt;"),
                '>' => markup.Append("&gt;"),
                '"' when inAttribute => markup.Append("&quot;"),
                _ => markup.Append(c),
            };
        }
    }

    /// <summary>The <c>xml:base</c> in force here (XML Base §4.2: inherited, each one resolved against the outer).</summary>
    public Uri? BaseUri
    {
        get
        {
            var outer = Parent?.BaseUri;
            if (Attribute("base", Namespaces.Xml) is not { } value || string.IsNullOrWhiteSpace(value))
                return outer;
            value = value.Trim();
            if (Uri.TryCreate(value, UriKind.Absolute, out var absolute) && !(absolute.IsFile && value.StartsWith('/')))
                return absolute;
            if (outer is { IsAbsoluteUri: true } && Uri.TryCreate(outer, value, out var resolved))
                return resolved;
            return Uri.TryCreate(value, UriKind.Relative, out var relative) ? relative : outer;
        }
    }

    /// <summary>The <c>xml:lang</c> in force here.</summary>
    public string? Language =>
        Attribute("lang", Namespaces.Xml) is { } lang && lang.Trim().Length > 0 ? lang.Trim() : Parent?.Language;
}

/// <summary>
/// The child elements of a node, all or those of one name: a struct, so the readers' many <c>foreach</c> loops over
/// children allocate nothing (LINQ over it still works, boxed).
/// </summary>
internal readonly struct ElementList(List<object>? nodes, string? localName, string ns) : IEnumerable<FeedElement>
{
    public Enumerator GetEnumerator() => new(nodes, localName, ns);

    IEnumerator<FeedElement> IEnumerable<FeedElement>.GetEnumerator() => GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public struct Enumerator(List<object>? nodes, string? localName, string ns) : IEnumerator<FeedElement>
    {
        private int _index = -1;

        public FeedElement Current { get; private set; } = null!;

        readonly object System.Collections.IEnumerator.Current => Current;

        public bool MoveNext()
        {
            // nodes is null in default(ElementList), the empty list ([] where an ElementList is expected).
            while (nodes is not null && ++_index < nodes.Count)
            {
                if (nodes[_index] is FeedElement element && (localName is null || element.Is(localName, ns)))
                {
                    Current = element;
                    return true;
                }
            }
            return false;
        }

        public void Reset() => _index = -1;

        public readonly void Dispose()
        {
        }
    }
}

internal sealed record FeedAttribute(string QualifiedName, string LocalName, string Namespace, string Value);
