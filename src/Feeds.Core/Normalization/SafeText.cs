using System.Text;

namespace Feeds.Core.Normalization;

/// <summary>
/// The text and URL rules every stored and published value obeys, in one place for both walls: normalization
/// applies them to what a source sends, rendering applies them again to whatever the store holds (rows written by
/// an older version included).
/// </summary>
public static class SafeText
{
    /// <summary>The longest title kept; a longer one is cut at a word and ends in "…".</summary>
    public const int MaxTitleLength = 2048;

    /// <summary>The longest other one-line value kept: an author's name or email, a category, an id, a media type.</summary>
    public const int MaxLineLength = 512;

    /// <summary>The longest URL kept (browsers and servers commonly stop near 8 KB).</summary>
    public const int MaxUrlLength = 8192;

    /// <summary>
    /// True when every character may stand in an XML 1.0 document (§2.2 Char: tab, LF, CR, U+0020–U+D7FF,
    /// U+E000–U+FFFD, paired surrogates) and is no control character (C0, DEL, C1), which XML 1.0 discourages and
    /// readers mangle.
    /// </summary>
    public static bool IsClean(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            // Printable ASCII, most of any text, is skipped a vector at a time; the rest is looked at one by one.
            var printable = text[i..].IndexOfAnyExceptInRange(' ', '~');
            if (printable < 0)
                return true;
            i += printable;
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }
            if (!IsAllowed(c))
                return false;
        }
        return true;
    }

    /// <summary>The text without the characters <see cref="IsClean"/> refuses; the same instance when it has none.</summary>
    public static string Clean(string text)
    {
        if (IsClean(text))
            return text;
        var clean = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                clean.Append(c).Append(text[++i]);
                continue;
            }
            if (IsAllowed(c))
                clean.Append(c);
        }
        return clean.ToString();
    }

    /// <inheritdoc cref="Clean(string)"/>
    public static string? CleanOrNull(string? text) => text is null ? null : Clean(text);

    /// <summary>
    /// One line of plain text: clean, whitespace folded to single spaces, trimmed, at most <paramref name="maxLength"/>
    /// characters (cut at a word when one ends in the last fifth, never inside a surrogate pair, then "…"). Null when
    /// nothing is left.
    /// </summary>
    public static string? Line(string? text, int maxLength = MaxLineLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 2); // room for a character and the ellipsis
        if (text is null)
            return null;
        var folded = new StringBuilder(Math.Min(text.Length, maxLength + 1));
        var pendingSpace = false;
        foreach (var rune in Clean(text).EnumerateRunes())
        {
            if (Rune.IsWhiteSpace(rune))
            {
                pendingSpace = folded.Length > 0;
                continue;
            }
            if (pendingSpace)
                folded.Append(' ');
            pendingSpace = false;
            folded.Append(rune.ToString());
            if (folded.Length > maxLength)
                break;
        }
        if (folded.Length == 0)
            return null;
        return folded.Length <= maxLength ? folded.ToString() : Shorten(folded.ToString(), maxLength);
    }

    /// <summary>An absolute http(s) URL of reasonable length with nothing in it a reader could trip on; null for anything else.</summary>
    public static string? HttpUrl(string? url) =>
        Url(url) is { } absolute && (absolute.Scheme == Uri.UriSchemeHttp || absolute.Scheme == Uri.UriSchemeHttps) ? absolute.AbsoluteUri : null;

    /// <summary>An author's address: http(s) like <see cref="HttpUrl"/>, or a <c>mailto:</c> URL; null for anything else.</summary>
    public static string? PersonUrl(string? url) =>
        Url(url) is { } absolute && (absolute.Scheme == Uri.UriSchemeHttp || absolute.Scheme == Uri.UriSchemeHttps || absolute.Scheme == Uri.UriSchemeMailto)
            ? absolute.AbsoluteUri
            : null;

    private static Uri? Url(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Length > MaxUrlLength || !IsClean(url))
            return null;
        return Uri.TryCreate(url.Trim(), UriKind.Absolute, out var absolute) && absolute.AbsoluteUri.Length <= MaxUrlLength && IsClean(absolute.AbsoluteUri)
            && HasUsableHost(absolute)
            ? absolute
            : null;
    }

    /// <summary>
    /// Uri parses some hosts it cannot put in IDN form ("http://ex͸ample.com/"); reading <see cref="Uri.IdnHost"/>,
    /// as story keys and HTTP clients do, then throws. Such a host names no reachable server.
    /// </summary>
    private static bool HasUsableHost(Uri url)
    {
        try
        {
            return url.IdnHost is not null;
        }
        catch (UriFormatException)
        {
            return false;
        }
    }

    private static string Shorten(string text, int maxLength)
    {
        var cut = maxLength - 1; // room for the ellipsis
        if (char.IsLowSurrogate(text[cut]))
            cut--;
        var space = cut > 1 ? text.LastIndexOf(' ', cut - 1, cut / 5) : -1;
        if (space > 0)
            cut = space;
        return text[..cut].TrimEnd() + "…";
    }

    private static bool IsAllowed(char c) => c switch
    {
        '\t' or '\n' or '\r' => true,
        < '\u0020' => false,
        >= '\u007F' and <= '\u009F' => false,
        >= '\uD800' and <= '\uDFFF' => false, // a surrogate that is not half of a pair
        '\uFFFE' or '\uFFFF' => false,
        _ => true,
    };
}
