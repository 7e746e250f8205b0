using System.Text;
using System.Text.RegularExpressions;

namespace Feeds.Core.Parsing;

/// <summary>
/// Reads feed XML into a <see cref="FeedElement"/> tree the way feed readers must: recovering instead of
/// rejecting. We read XML ourselves rather than with XmlReader (or System.ServiceModel.Syndication, which
/// sits on it) because one broken character there loses the whole feed, and real feeds are full of them.
/// <list type="bullet">
/// <item>HTML named entities (<c>&amp;eacute;</c>) are decoded; a bare <c>&amp;</c> or <c>&lt;</c> is text.</item>
/// <item>A mismatched end tag closes up to its open element, or is ignored; HTML void elements never nest.</item>
/// <item>Undeclared prefixes get their conventional namespace (<see cref="Namespaces.ForUndeclaredPrefix"/>).</item>
/// <item>Junk before and after the root is skipped; a truncated document keeps everything read so far.</item>
/// </list>
/// Safety: nothing is ever fetched (no DTD, no external entity); internal DTD entities expand only when
/// their value is plain text, and all expansions together are bounded, so entity bombs and quadratic
/// blowup end with a <see cref="FeedParseException"/>; element depth is bounded, so deep nesting cannot
/// overflow the stack of whatever walks the tree.
/// </summary>
internal sealed partial class TolerantXmlParser
{
    public const int MaxDepth = 256;
    public const int MaxEntityExpansion = 1 << 20;
    private const int MaxSharedWhitespace = 32;

    private static readonly HashSet<string> HtmlVoidElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "img", "br", "hr", "wbr", "area", "input", "embed", "col", "param",
    };

    private readonly ReadOnlyMemory<char> _text;
    private int _position;
    private readonly Dictionary<string, string> _entities = new(StringComparer.Ordinal);
    private long _expanded;
    private readonly List<(string Prefix, string Uri)> _scope = [];
    private readonly List<(FeedElement Element, int ScopeCount)> _open = [];
    private readonly Dictionary<string, string> _canonical = new(StringComparer.Ordinal);
    // Per-document tables and scratch space: a feed repeats a few dozen names and entities thousands of times.
    private readonly Dictionary<string, (string Prefix, string Local)> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Prefix, string Local)>.AlternateLookup<ReadOnlySpan<char>> _namesBySpan;
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _entitiesBySpan;
    private readonly List<(string Name, string Value)> _attributes = [];
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _whitespaceBySpan = new HashSet<string>(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
    private readonly StringBuilder _decoded = new();
    private FeedElement? _root;
    private bool _rootClosed;
    private readonly Func<FeedElement, bool>? _detachWhenClosed;
    // The element an element was just taken out of: text after it starts a new node instead of growing the one before,
    // which would copy an ever longer string once per detached item.
    private FeedElement? _detachedFrom;

    private TolerantXmlParser(ReadOnlyMemory<char> text, Func<FeedElement, bool>? detachWhenClosed)
    {
        _text = text;
        _detachWhenClosed = detachWhenClosed;
        _namesBySpan = _names.GetAlternateLookup<ReadOnlySpan<char>>();
        _entitiesBySpan = _entities.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The root element, or null when the text holds no element at all.</summary>
    /// <param name="text">The document; every string of the tree is copied out of it, so it may be reused afterwards.</param>
    /// <param name="detachWhenClosed">
    /// Called with each element as it closes, by its end tag or by recovery (a mismatched end tag that closes it, the end of
    /// a truncated document), innermost first; when it returns true the element is taken out of its parent's nodes, so a
    /// reader that has read it leaves its subtree to the collector instead of holding the whole document. The element keeps
    /// its <see cref="FeedElement.Parent"/>, so what it inherits (xml:base, xml:lang) is still there.
    /// </param>
    public static FeedElement? Parse(ReadOnlyMemory<char> text, Func<FeedElement, bool>? detachWhenClosed = null)
    {
        var parser = new TolerantXmlParser(text, detachWhenClosed);
        parser.Run();
        parser.CloseAll();
        return parser._root;
    }

    /// <summary>A truncated document ends with elements still open: they close here, as everything read so far is kept.</summary>
    private void CloseAll()
    {
        for (var i = _open.Count - 1; i >= 0; i--)
            Closed(_open[i].Element);
        _open.Clear();
    }

    private void Closed(FeedElement element)
    {
        if (_detachWhenClosed is null || element.Parent is not { } parent || !_detachWhenClosed(element))
            return;
        // Nothing is added to a parent while its child is open, so the child is its last node.
        parent.Nodes.RemoveAt(parent.Nodes.Count - 1);
        _detachedFrom = parent;
    }

    private void Run()
    {
        while (_position < _text.Length && !_rootClosed)
        {
            var lt = IndexOf('<', _position);
            if (lt < 0)
            {
                AddText(_text.Span[_position..], decode: true);
                break;
            }
            if (lt > _position)
                AddText(_text.Span[_position..lt], decode: true);
            _position = lt;
            ReadMarkup();
        }
    }

    private void ReadMarkup()
    {
        var rest = _text.Span[_position..];
        if (rest.StartsWith("<!--"))
            _position = After("-->", _position + 4);
        else if (rest.StartsWith("<![CDATA["))
        {
            var end = IndexOf("]]>", _position + 9);
            var stop = end < 0 ? _text.Length : end;
            AddText(_text.Span[(_position + 9)..stop], decode: false);
            _position = end < 0 ? _text.Length : end + 3;
        }
        else if (rest.StartsWith("<!DOCTYPE", StringComparison.OrdinalIgnoreCase))
            ReadDoctype();
        else if (rest.StartsWith("<?") || rest.StartsWith("<!"))
            _position = After(">", _position + 2);
        else if (rest.StartsWith("</"))
            ReadEndTag();
        else if (rest.Length > 1 && IsNameStart(rest[1]))
            ReadStartTag();
        else
        {
            AddText("<", decode: false);
            _position++;
        }
    }

    private int After(string terminator, int from)
    {
        var end = IndexOf(terminator, from);
        return end < 0 ? _text.Length : end + terminator.Length;
    }

    /// <summary>Where <paramref name="value"/> next occurs at or after <paramref name="from"/>, or -1.</summary>
    private int IndexOf(char value, int from)
    {
        var found = _text.Span[Math.Min(from, _text.Length)..].IndexOf(value);
        return found < 0 ? -1 : found + from;
    }

    private int IndexOf(string value, int from)
    {
        from = Math.Min(from, _text.Length);
        var found = _text.Span[from..].IndexOf(value, StringComparison.Ordinal);
        return found < 0 ? -1 : found + from;
    }

    private void ReadStartTag()
    {
        _position++;
        var name = ReadName();
        var attributes = _attributes;
        attributes.Clear();
        var selfClosing = false;
        var complete = false;
        var text = _text.Span;
        while (_position < text.Length)
        {
            var c = text[_position];
            if (char.IsWhiteSpace(c))
                _position++;
            else if (c == '>')
            {
                _position++;
                complete = true;
                break;
            }
            else if (c == '/' && _position + 1 < text.Length && text[_position + 1] == '>')
            {
                _position += 2;
                selfClosing = complete = true;
                break;
            }
            else if (c == '<')
            {
                complete = true; // "<a href=x <b>": the tag ends where the next one starts
                break;
            }
            else if (IsNameStart(c))
                attributes.Add(ReadAttribute());
            else
                _position++;
        }
        if (!complete)
            return; // cut off inside the tag: drop it
        OpenElement(name, attributes, selfClosing);
    }

    private (string Name, string Value) ReadAttribute()
    {
        var name = ReadName();
        SkipWhitespace();
        var text = _text.Span;
        if (_position >= text.Length || text[_position] != '=')
            return (name, name); // HTML boolean attribute
        _position++;
        SkipWhitespace();
        if (_position >= text.Length)
            return (name, "");
        var quote = text[_position];
        int start, end;
        if (quote is '"' or '\'')
        {
            start = _position + 1;
            end = IndexOf(quote, start);
            if (end < 0)
                end = text.Length;
            _position = Math.Min(end + 1, text.Length);
        }
        else
        {
            start = _position;
            while (_position < text.Length && !char.IsWhiteSpace(text[_position]) && text[_position] != '>')
                _position++;
            end = _position;
        }
        return (name, Decode(text[start..end]));
    }

    private void OpenElement(string qualifiedName, List<(string Name, string Value)> attributes, bool selfClosing)
    {
        if (_rootClosed)
            return;
        if (_open.Count >= MaxDepth)
            throw new FeedParseException($"not a readable feed: elements nest deeper than {MaxDepth} levels", ParseFailure.Unreadable);
        var scopeCount = _scope.Count;
        foreach (var (name, value) in attributes)
        {
            if (name == "xmlns")
                _scope.Add(("", value));
            else if (name.StartsWith("xmlns:", StringComparison.Ordinal))
                _scope.Add((name[6..], value));
        }
        var (prefix, localName) = _names[qualifiedName];
        var parent = _open.Count > 0 ? _open[^1].Element : null;
        var element = new FeedElement(qualifiedName, localName, Resolve(prefix), parent);
        for (var i = scopeCount; i < _scope.Count; i++)
            (element.Declarations ??= []).Add(Canonical(_scope[i].Uri));
        foreach (var (name, value) in attributes)
        {
            if (name == "xmlns" || name.StartsWith("xmlns:", StringComparison.Ordinal))
                continue;
            var (attributePrefix, attributeLocal) = _names[name];
            element.AddAttribute(new FeedAttribute(name, attributeLocal, attributePrefix.Length == 0 ? "" : Resolve(attributePrefix), value));
        }
        if (parent is null)
            _root ??= element;
        else
            parent.Nodes.Add(element);
        var isVoid = element.Namespace is "" or Namespaces.Xhtml && HtmlVoidElements.Contains(localName);
        if (selfClosing || isVoid)
        {
            _scope.RemoveRange(scopeCount, _scope.Count - scopeCount);
            Closed(element);
        }
        else
            _open.Add((element, scopeCount));
    }

    private void ReadEndTag()
    {
        _position += 2;
        var name = ReadName();
        _position = After(">", _position);
        for (var i = _open.Count - 1; i >= 0; i--)
        {
            if (_open[i].Element.QualifiedName != name)
                continue;
            _scope.RemoveRange(_open[i].ScopeCount, _scope.Count - _open[i].ScopeCount);
            for (var j = _open.Count - 1; j >= i; j--)
                Closed(_open[j].Element);
            _open.RemoveRange(i, _open.Count - i);
            _rootClosed = i == 0;
            return;
        }
        // An end tag nothing opened (</i> after </b> closed both): ignored, as HTML parsers do.
    }

    private string Resolve(string prefix)
    {
        if (prefix == "xml")
            return Namespaces.Xml;
        for (var i = _scope.Count - 1; i >= 0; i--)
        {
            if (_scope[i].Prefix == prefix)
                return Canonical(_scope[i].Uri);
        }
        return prefix.Length == 0 ? "" : Namespaces.ForUndeclaredPrefix(prefix);
    }

    private string Canonical(string uri)
    {
        if (!_canonical.TryGetValue(uri, out var canonical))
            _canonical[uri] = canonical = Namespaces.Canonical(uri);
        return canonical;
    }

    private static (string Prefix, string Local) Split(string qualifiedName)
    {
        var colon = qualifiedName.IndexOf(':', StringComparison.Ordinal);
        return colon <= 0 || colon == qualifiedName.Length - 1 ? ("", qualifiedName) : (qualifiedName[..colon], qualifiedName[(colon + 1)..]);
    }

    /// <summary>A name, allocated (and split at its prefix) once per document: later uses get the same string.</summary>
    private string Intern(ReadOnlySpan<char> qualifiedName)
    {
        if (_namesBySpan.TryGetValue(qualifiedName, out var name, out _))
            return name;
        name = qualifiedName.ToString();
        _names[name] = Split(name);
        return name;
    }

    private void AddText(ReadOnlySpan<char> text, bool decode)
    {
        if (_open.Count == 0 || text.IsEmpty)
            return; // junk before or after the root
        var value = text.Length <= MaxSharedWhitespace && text.IsWhiteSpace() ? SharedWhitespace(text) : decode ? Decode(text) : text.ToString();
        var element = _open[^1].Element;
        var nodes = element.Nodes;
        if (nodes.Count > 0 && nodes[^1] is string previous && element != _detachedFrom)
            nodes[^1] = previous + value;
        else
            nodes.Add(value);
        _detachedFrom = null;
    }

    /// <summary>
    /// The whitespace between elements (a line break and an indent, thousands of times a feed) as one string per
    /// spelling and document.
    /// </summary>
    private string SharedWhitespace(ReadOnlySpan<char> whitespace)
    {
        if (!_whitespaceBySpan.TryGetValue(whitespace, out var shared))
            _whitespaceBySpan.Set.Add(shared = whitespace.ToString());
        return shared;
    }

    /// <summary>The name at the current position, interned; its prefix and local part are in <see cref="_names"/>.</summary>
    private string ReadName()
    {
        var text = _text.Span;
        var start = _position;
        while (_position < text.Length && IsNameChar(text[_position]))
            _position++;
        return Intern(text[start.._position]);
    }

    private void SkipWhitespace()
    {
        var text = _text.Span;
        while (_position < text.Length && char.IsWhiteSpace(text[_position]))
            _position++;
    }

    private static bool IsNameStart(char c) => char.IsLetter(c) || c is '_' or ':';

    private static bool IsNameChar(char c) => char.IsLetterOrDigit(c) || c is '_' or ':' or '-' or '.' || c == '\u00B7';

    /// <summary>Text with its character and entity references replaced (XML's five, the DTD's, HTML's).</summary>
    private string Decode(ReadOnlySpan<char> text)
    {
        var amp = text.IndexOf('&');
        if (amp < 0)
            return text.ToString();
        var result = _decoded.Clear();
        while (amp >= 0)
        {
            result.Append(text[..amp]);
            text = text[amp..];
            var consumed = AppendReference(result, text);
            text = text[consumed..];
            amp = NextAmpersand(text);
        }
        result.Append(text);
        return result.ToString();
    }

    /// <summary>
    /// In escaped HTML the next reference is often a few characters on (<c>&amp;lt;/p&amp;gt;</c>): those are looked at
    /// one by one before the vectorized search, whose start-up cost dominates such short runs.
    /// </summary>
    private static int NextAmpersand(ReadOnlySpan<char> text)
    {
        const int Near = 8;
        for (var i = 0; i < Math.Min(text.Length, Near); i++)
        {
            if (text[i] == '&')
                return i;
        }
        if (text.Length <= Near)
            return -1;
        var found = text[Near..].IndexOf('&');
        return found < 0 ? -1 : found + Near;
    }

    /// <summary>Appends what the reference at the start of <paramref name="text"/> stands for; returns the characters used.</summary>
    private int AppendReference(StringBuilder result, ReadOnlySpan<char> text)
    {
        // Escaped HTML (Atom's type="html", RSS descriptions) is mostly these: no lookup for them.
        switch (text)
        {
            case ['&', 'l', 't', ';', ..]:
                result.Append('<');
                return 4;
            case ['&', 'g', 't', ';', ..]:
                result.Append('>');
                return 4;
            case ['&', 'a', 'm', 'p', ';', ..]:
                result.Append('&');
                return 5;
            case ['&', 'q', 'u', 'o', 't', ';', ..]:
                result.Append('"');
                return 6;
        }
        var semicolon = text[..Math.Min(text.Length, 40)].IndexOf(';');
        if (semicolon < 2)
        {
            result.Append('&');
            return 1;
        }
        var name = text[1..semicolon];
        if (name[0] == '#')
        {
            if (XmlEntities.TryCharacterReference(name[1..], out var character))
            {
                result.Append(character);
                return semicolon + 1;
            }
        }
        else if (XmlEntities.IsName(name))
        {
            if (XmlEntities.Predefined(name) is { } predefined)
            {
                result.Append(predefined);
                return semicolon + 1;
            }
            if (_entitiesBySpan.TryGetValue(name, out var value))
            {
                _expanded += value.Length;
                if (_expanded > MaxEntityExpansion)
                    throw new FeedParseException($"not a readable feed: its DTD entities expand to more than {MaxEntityExpansion} characters (an entity bomb?)", ParseFailure.Unreadable);
                result.Append(value);
                return semicolon + 1;
            }
            if (XmlEntities.Html(name) is { } html)
            {
                result.Append(html);
                return semicolon + 1;
            }
        }
        result.Append('&');
        return 1;
    }

    /// <summary>
    /// Skips a DOCTYPE, keeping from its internal subset only general entities whose value is plain text
    /// (no reference, no markup): those cannot nest or explode. External entities are never declared, so
    /// their references stay as written.
    /// </summary>
    private void ReadDoctype()
    {
        var open = IndexOf('[', _position);
        var close = IndexOf('>', _position);
        if (close < 0)
        {
            _position = _text.Length;
            return;
        }
        if (open < 0 || open > close)
        {
            _position = close + 1;
            return;
        }
        var (stop, next) = (_text.Length, _text.Length);
        foreach (var end in InternalSubsetEnd().EnumerateMatches(_text.Span[open..]))
        {
            (stop, next) = (open + end.Index, open + end.Index + end.Length);
            break;
        }
        foreach (Match declaration in EntityDeclaration().Matches(_text.Span[open..stop].ToString()))
        {
            var value = declaration.Groups["value"].Value;
            if (value.AsSpan().IndexOfAny('&', '<', '%') < 0)
                _entities.TryAdd(declaration.Groups["name"].Value, value);
        }
        _position = next;
    }

    [GeneratedRegex(@"\]\s*>")]
    private static partial Regex InternalSubsetEnd();

    [GeneratedRegex(@"<!ENTITY\s+(?<name>[A-Za-z_][\w.-]*)\s+(?<quote>[""'])(?<value>[^""']*)\k<quote>\s*>")]
    private static partial Regex EntityDeclaration();
}
