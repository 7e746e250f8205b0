using System.Buffers;
using System.Net;
using System.Text.RegularExpressions;
using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Ganss.Xss;

namespace Feeds.Core.Normalization;

/// <summary>
/// Makes feed HTML safe to republish with HtmlSanitizer's allow-list (no script, styles, frames, event
/// handlers or non-http(s) URLs), resolving relative URLs against the item's base, and reads what the
/// rest of normalization needs from the same parsed DOM: plain text and the first image.
/// </summary>
public sealed partial class HtmlCleaner
{
    /// <summary>Elements removed together with their text; other disallowed elements (iframe, object, embed, unknown tags) keep their text.</summary>
    private static readonly HashSet<string> RemovedWithText = new(StringComparer.OrdinalIgnoreCase) { "script", "style", "applet", "noscript", "template" };

    private readonly HtmlSanitizer _sanitizer;
    private static readonly HtmlParser TextParser = new();

    /// <summary>
    /// The sanitizer's parser: without CSS, as the allow-list keeps no style (HtmlSanitizer then drops every style),
    /// without source positions, which nothing reads, and without AngleSharp's attribute observers, which keep a browser's
    /// state (an image's chosen source, a link's relations, a class list) that nothing here reads, and parsed every image
    /// URL again each time HtmlSanitizer set it; each fragment builds less (bench/ingest).
    /// </summary>
    private static readonly HtmlParser SanitizerParser = new(
        new HtmlParserOptions { DisableElementPositionTracking = true },
        BrowsingContext.New(Configuration.Default.Without<IAttributeObserver>()));

    public HtmlCleaner()
    {
        // HtmlSanitizer's allow-list, less forms (phishing) and inline styles, which fight the reader's
        // stylesheet and are a CSS-injection surface.
        string[] forbiddenTags = ["form", "input", "button", "select", "option", "textarea", "style"];
        _sanitizer = new HtmlSanitizer(new HtmlSanitizerOptions
        {
            AllowedTags = new HashSet<string>(HtmlSanitizerDefaults.AllowedTags.Except(forbiddenTags, StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase),
            AllowedAttributes = new HashSet<string>(HtmlSanitizerDefaults.AllowedAttributes.Where(a => a != "style"), StringComparer.OrdinalIgnoreCase),
            AllowedSchemes = new HashSet<string>(["http", "https", "mailto"], StringComparer.OrdinalIgnoreCase),
            UriAttributes = new HashSet<string>(HtmlSanitizerDefaults.UriAttributes, StringComparer.OrdinalIgnoreCase),
            AllowedCssProperties = new HashSet<string>(),
            AllowedAtRules = new HashSet<AngleSharp.Css.Dom.CssRuleType>(),
        })
        {
            // A disallowed wrapper (an iframe's fallback text, MathML, SVG) keeps its readable text, as feed readers do.
            KeepChildNodes = true,
            HtmlParserFactory = () => SanitizerParser,
        };
        _sanitizer.RemovingTag += (_, e) =>
        {
            if (RemovedWithText.Contains(e.Tag.LocalName))
                RemoveChildren(e.Tag);
        };
    }

    private static void RemoveChildren(INode node)
    {
        while (node.FirstChild is { } child)
            node.RemoveChild(child);
    }

    /// <summary>Sanitizes <paramref name="html"/>; relative URLs resolve against <paramref name="baseUri"/> when given.</summary>
    public CleanHtml Clean(string html, Uri? baseUri)
    {
        // Text with nothing an HTML parser or serializer would read or write differently (no tag, reference, '>', NUL,
        // CR or no-break space) is its own sanitized form: the parse is one text node, written back as it came. Many
        // summaries are plain text.
        if (html.AsSpan().IndexOfAny(MarkupOrRewritten) < 0)
            return new CleanHtml(html, Collapse(html), null);
        if (TooDeep(html))
        {
            var text = Collapse(WebUtility.HtmlDecode(AnyTag().Replace(html, " ")));
            return new CleanHtml(WebUtility.HtmlEncode(text), text, null);
        }
        using var document = _sanitizer.SanitizeDom(EscapeBogusComments(html), baseUri?.AbsoluteUri ?? "");
        var body = document.Body!;
        var image = body.QuerySelector("img[src]")?.GetAttribute("src");
        return new CleanHtml(body.InnerHtml, Collapse(body.TextContent), image);
    }

    /// <summary>
    /// The characters that make a fragment more than text for <see cref="Clean"/>: markup starts ('&lt;', '&amp;'), what
    /// the HTML input stream drops or rewrites (NUL; CR, made LF) and what serializing a text node escapes ('&gt;', and
    /// U+00A0 as &amp;nbsp;).
    /// </summary>
    private static readonly SearchValues<char> MarkupOrRewritten = SearchValues.Create("<&>\0\r\u00A0");

    /// <summary>Text of an HTML fragment: tags removed, entities decoded, whitespace collapsed.</summary>
    public static string ToPlainText(string html)
    {
        // No tag, reference or NUL (which HTML drops): the text is what an HTML parser would give; most titles are this.
        if (html.AsSpan().IndexOfAny('<', '&', '\0') < 0)
            return Collapse(html);
        if (TooDeep(html))
            return Collapse(WebUtility.HtmlDecode(AnyTag().Replace(html, " ")));
        using var document = TextParser.ParseDocument("<body>" + EscapeBogusComments(html));
        foreach (var element in document.Body?.QuerySelectorAll(string.Join(',', RemovedWithText)).ToList() ?? [])
            element.Remove();
        return Collapse(document.Body?.TextContent ?? "");
    }

    /// <summary>
    /// <paramref name="text"/> without anything an HTML reader would take as markup: each run from a '&lt;' that opens a
    /// tag, an end tag, a comment or a declaration (followed by a letter, '/', '!' or '?'; HTML §13.2.5.6, tag open
    /// state) to the next '&gt;', or to the end as an unclosed tag would, becomes a space. A '&lt;' that opens nothing
    /// ("1 &lt; 2", "&lt;3") stays. Entities are not decoded again.
    /// </summary>
    public static string RemoveMarkup(string text) => text.Contains('<') ? MarkupRun().Replace(text, " ") : text;

    /// <summary>
    /// HTML reads "&lt;!" that does not start a comment or a whole doctype as a bogus comment up to the next '&gt;' (or as
    /// a doctype to the end) and swallows the text (even a nested "&lt;![CDATA["); feed authors mean the characters.
    /// An HTML comment never closed with "--&gt;" would hide the rest of the fragment; it ends at its first '&gt;' instead.
    /// </summary>
    private static string EscapeBogusComments(string html)
    {
        if (!html.Contains("<!", StringComparison.Ordinal))
            return html;
        html = BogusCommentStart().Replace(html, "&lt;!");
        var comment = html.LastIndexOf("<!--", StringComparison.Ordinal);
        if (comment >= 0 && html.IndexOf("-->", comment + 4, StringComparison.Ordinal) < 0 && html.IndexOf('>', comment + 4) is var end and >= 0)
            html = string.Concat(html.AsSpan(0, comment), html.AsSpan(end + 1));
        return html;
    }

    /// <summary>
    /// HTML tree building slows down sharply with thousands of open elements (a hostile item took a minute);
    /// fragments that open more than <see cref="MaxOpenTags"/> tags without closing them are reduced to their text.
    /// </summary>
    /// <remarks>
    /// A scan, not a regex: it runs on every fragment before sanitizing. A tag here is what <c>&lt;/?[A-Za-z][A-Za-z0-9]*</c>
    /// starts, running to its '&gt;' or to just before the next '&lt;' or the end; one ending in "/&gt;" and void
    /// elements open nothing.
    /// </remarks>
    private static bool TooDeep(string html)
    {
        var depth = 0;
        var position = html.IndexOf('<');
        while (position >= 0 && position < html.Length - 1)
        {
            var closing = html[position + 1] == '/';
            var nameStart = closing ? position + 2 : position + 1;
            if (nameStart >= html.Length || !char.IsAsciiLetter(html[nameStart]))
            {
                position = html.IndexOf('<', position + 1);
                continue;
            }
            var nameEnd = nameStart + 1;
            while (nameEnd < html.Length && char.IsAsciiLetterOrDigit(html[nameEnd]))
                nameEnd++;
            var tagEnd = html.AsSpan(nameEnd).IndexOfAny('<', '>');
            var selfClosing = tagEnd >= 0 && html[nameEnd + tagEnd] == '>' && html[nameEnd + tagEnd - 1] == '/';
            if (!selfClosing && !VoidElementNames.Contains(html.AsSpan(nameStart, nameEnd - nameStart)))
            {
                depth += closing ? -1 : 1;
                if (depth > MaxOpenTags)
                    return true;
            }
            // The next tag starts at the '<' that ended this one, or after its '>'.
            position = tagEnd < 0 ? -1 : html.IndexOf('<', nameEnd + tagEnd);
        }
        return false;
    }

    private const int MaxOpenTags = 2048;

    private static readonly HashSet<string> VoidElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
    };

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> VoidElementNames = VoidElements.GetAlternateLookup<ReadOnlySpan<char>>();

    [GeneratedRegex(@"<[^>]*>?")]
    private static partial Regex AnyTag();

    [GeneratedRegex(@"<[A-Za-z/!?][^>]*>?")]
    private static partial Regex MarkupRun();

    // A doctype is markup only when it is one: "<!DOCTYPE", a name, and its closing '>' before any other tag (HTML
    // §13.2.5.53); "<!DOCTYPE is a word here" with no '>' would otherwise swallow the rest of the fragment.
    [GeneratedRegex(@"<!(?!--|doctype\s+[a-z][^<>]*>)", RegexOptions.IgnoreCase)]
    private static partial Regex BogusCommentStart();

    /// <summary>
    /// <paramref name="text"/> with each run of white space (<see cref="char.IsWhiteSpace(char)"/>) made one space, and
    /// none at either end. One pass: it runs over the text of every item.
    /// </summary>
    public static string Collapse(string text)
    {
        var buffer = ArrayPool<char>.Shared.Rent(text.Length);
        try
        {
            var length = 0;
            var spaceBefore = false;
            foreach (var c in text)
            {
                if (char.IsWhiteSpace(c))
                {
                    spaceBefore = length > 0;
                    continue;
                }
                if (spaceBefore)
                    buffer[length++] = ' ';
                spaceBefore = false;
                buffer[length++] = c;
            }
            var collapsed = buffer.AsSpan(0, length);
            return collapsed.SequenceEqual(text) ? text : new string(collapsed);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }
}

/// <param name="Html">The sanitized fragment.</param>
/// <param name="Text">Its text, whitespace collapsed.</param>
/// <param name="FirstImage">The <c>src</c> of the first surviving <c>img</c>, already absolute when a base was known.</param>
public sealed record CleanHtml(string Html, string Text, string? FirstImage);
