using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using AngleSharp.Html;

namespace Feeds.Core.Parsing;

/// <summary>What character and entity references in feed text stand for.</summary>
internal static class XmlEntities
{
    private static readonly Encoding Windows1252 = CodePagesEncoding(1252);

    public static string? Predefined(ReadOnlySpan<char> name) => name switch
    {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        _ => null,
    };

    /// <summary>HTML entities met so far; only names that resolve are kept, so the table stays as small as HTML's.</summary>
    private static readonly ConcurrentDictionary<string, string> KnownHtml = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> KnownHtmlBySpan =
        KnownHtml.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Any of HTML's named entities (XML knows none of them, feeds use them all the time).</summary>
    /// <remarks>HTML 4's table first (it is what feeds were written against: <c>&amp;lang;</c> is U+2329 there), then HTML5's.</remarks>
    public static string? Html(ReadOnlySpan<char> name)
    {
        if (KnownHtmlBySpan.TryGetValue(name, out var known))
            return known;
        var key = name.ToString();
        var symbol = System.Net.WebUtility.HtmlDecode("&" + key + ";") is { } html4 && html4[0] != '&' ? html4 : HtmlEntityProvider.Resolver.GetSymbol(key);
        if (symbol is not null)
            KnownHtml.TryAdd(key, symbol);
        return symbol;
    }

    /// <summary>
    /// <c>#233</c> / <c>#xE9</c> (also <c>#XE9</c>). References to C1 controls 128–159 mean the windows-1252
    /// character, as in HTML (feeds write <c>&amp;#146;</c> for a right quote); invalid code points give U+FFFD.
    /// </summary>
    public static bool TryCharacterReference(ReadOnlySpan<char> digits, out string character)
    {
        character = "";
        var hex = digits.Length > 0 && digits[0] is 'x' or 'X';
        var number = hex ? digits[1..] : digits;
        if (number.IsEmpty || number.Length > 8
            || !int.TryParse(number, hex ? NumberStyles.AllowHexSpecifier : NumberStyles.None, CultureInfo.InvariantCulture, out var code))
            return false;
        character = code switch
        {
            >= 0x80 and <= 0x9F => Windows1252.GetString([(byte)code]),
            0 or (>= 0xD800 and <= 0xDFFF) or > 0x10FFFF => "\uFFFD",
            _ => char.ConvertFromUtf32(code),
        };
        return true;
    }

    public static bool IsName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || !(char.IsLetter(name[0]) || name[0] == '_'))
            return false;
        foreach (var c in name)
        {
            if (!(char.IsLetterOrDigit(c) || c is '_' or '-' or '.'))
                return false;
        }
        return true;
    }

    private static Encoding CodePagesEncoding(int codePage)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(codePage);
    }
}
