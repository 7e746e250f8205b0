using AngleSharp.Html.Parser;
using Ganss.Xss;

namespace Feeds.Core.Normalization;

/// <summary>
/// Makes feed HTML safe to republish with HtmlSanitizer's allow-list (no script, styles, frames, event
/// handlers or non-http(s) URLs), resolving relative URLs against the item's base, and reads what the
/// rest of normalization needs from the same parsed DOM: plain text and the first image.
/// </summary>
public sealed class HtmlCleaner
{
    private readonly HtmlSanitizer _sanitizer;
    private static readonly HtmlParser TextParser = new();

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
        });
    }

    /// <summary>Sanitizes <paramref name="html"/>; relative URLs resolve against <paramref name="baseUri"/> when given.</summary>
    public CleanHtml Clean(string html, Uri? baseUri)
    {
        using var document = _sanitizer.SanitizeDom(html, baseUri?.AbsoluteUri ?? "");
        var body = document.Body!;
        var image = body.QuerySelector("img[src]")?.GetAttribute("src");
        return new CleanHtml(body.InnerHtml, Collapse(body.TextContent), image);
    }

    /// <summary>Text of an HTML fragment: tags removed, entities decoded, whitespace collapsed.</summary>
    public static string ToPlainText(string html)
    {
        using var document = TextParser.ParseDocument("<body>" + html);
        return Collapse(document.Body?.TextContent ?? "");
    }

    public static string Collapse(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}

/// <param name="Html">The sanitized fragment.</param>
/// <param name="Text">Its text, whitespace collapsed.</param>
/// <param name="FirstImage">The <c>src</c> of the first surviving <c>img</c>, already absolute when a base was known.</param>
public sealed record CleanHtml(string Html, string Text, string? FirstImage);
