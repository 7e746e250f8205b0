using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Feeds.Tests.Support;

/// <summary>
/// An HTML page of the service read as a browser reads it (AngleSharp's HTML5 parser): what a person sees and what a
/// feed reader's autodiscovery finds, whatever spelling the encoder chose for a character ('+' as "&amp;#x2B;").
/// </summary>
public sealed class ParsedPage
{
    private ParsedPage(string html, IDocument document) => (Html, Document) = (html, document);

    /// <summary>The page as sent.</summary>
    public string Html { get; }

    public IDocument Document { get; }

    public static ParsedPage Parse(string html) => new(html, new HtmlParser().ParseDocument(html));

    /// <summary>Every text a person can meet on the page, decoded: the text of the whole document and every attribute's value.</summary>
    public IEnumerable<string> Texts =>
        Document.All.SelectMany(element => element.Attributes.Select(attribute => attribute.Value)).Prepend(Document.DocumentElement.TextContent);

    /// <summary>The feeds the page advertises (<c>&lt;link rel="alternate"&gt;</c> in its head), as (media type, href).</summary>
    public IReadOnlyList<(string Type, string Href)> AlternateFeeds =>
        Document.Head!.QuerySelectorAll("link[rel=alternate]").Select(link => (link.GetAttribute("type") ?? "", link.GetAttribute("href") ?? "")).ToList();

    /// <summary>Elements that would run script: script elements and event handler attributes (<c>onerror</c>, <c>onload</c>…).</summary>
    public IReadOnlyList<string> ScriptCarriers =>
        Document.All.Where(element => element.LocalName == "script" || element.Attributes.Any(a => a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase)))
            .Select(element => element.OuterHtml).ToList();
}
