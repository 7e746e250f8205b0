using System.Text.RegularExpressions;
using Ganss.Xss;

namespace Feeds.Core.Parsing;

/// <summary>
/// Whether text a format calls plain is HTML after all. RSS and its modules borrow Atom's elements (<c>atom:summary</c>,
/// <c>atom:content</c>) and Media RSS's (<c>media:description type="plain"</c>) without their discipline: their
/// default type is text, yet RSS writers fill them with escaped HTML as they do <c>description</c>.
/// </summary>
/// <remarks>
/// The rule is feedparser's (<c>looks_like_html</c>), as the specifications are silent, and errs on the side of text:
/// the text must close a tag (<c>&lt;/p&gt;</c>) or hold a character reference (<c>&amp;amp;</c>, <c>&amp;#8217;</c>),
/// every tag in it must be an element of HTML's safe set, and every named reference one of HTML's. A text about
/// <c>&lt;blink&gt;</c> that closes nothing stays text. Atom documents are never sniffed: RFC 4287 §3.1.1 makes text mean text.
/// </remarks>
internal static partial class HtmlSniffer
{
    public static bool LooksLikeHtml(string text)
    {
        if (!ClosingTag().IsMatch(text) && !Reference().IsMatch(text))
            return false;
        foreach (Match tag in TagName().Matches(text))
        {
            if (!HtmlSanitizerDefaults.AllowedTags.Contains(tag.Groups["name"].Value.ToLowerInvariant()))
                return false;
        }
        foreach (Match reference in NamedReference().Matches(text))
        {
            if (XmlEntities.Html(reference.Groups["name"].ValueSpan) is null)
                return false;
        }
        return true;
    }

    [GeneratedRegex(@"</\w+>")]
    private static partial Regex ClosingTag();

    [GeneratedRegex(@"&#?\w+;")]
    private static partial Regex Reference();

    [GeneratedRegex(@"</?(?<name>\w+)")]
    private static partial Regex TagName();

    [GeneratedRegex(@"&(?<name>\w+);")]
    private static partial Regex NamedReference();
}
