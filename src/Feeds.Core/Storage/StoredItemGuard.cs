using System.Buffers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Feeds.Core.Normalization;

namespace Feeds.Core.Storage;

/// <summary>
/// The read-side wall: turns whatever an items row holds — written by this version, an older one or by hand — into
/// values every page and feed writer may trust, with the rules normalization applies on the way in
/// (<see cref="SafeText"/>): text XML 1.0 can carry and without control characters, titles plain and at most
/// <see cref="SafeText.MaxTitleLength"/> characters, one-line values bounded, URLs absolute http(s) (mailto for a
/// person) or dropped, dates within [1970-01-01, now + 1 day], lists bounded. It repairs; it never throws.
/// </summary>
/// <remarks>
/// Normalization guarantees all of this for what it stores; the guard is for what it did not store: rows of older
/// versions (a year-9999 date once made every page that showed it answer 500) and rows edited by hand.
/// </remarks>
public static partial class StoredItemGuard
{
    /// <summary>The earliest date shown: nothing on the web was published before the Unix epoch.</summary>
    public static readonly DateTimeOffset EarliestDate = DateTimeOffset.UnixEpoch;

    /// <summary>How far ahead of now a date may be: clocks and time zones disagree by hours, not days.</summary>
    public static readonly TimeSpan LatestAhead = TimeSpan.FromDays(1);

    /// <summary>The most authors, categories or enclosures kept of one item: more is a broken or hostile row, not news.</summary>
    public const int MaxListEntries = 100;

    /// <summary>The longest plain-text teaser kept (normalization writes 280 characters).</summary>
    public const int MaxTeaserLength = 2048;

    /// <summary>How much of a title is read at all: markup around a 1 MiB title is not worth parsing whole.</summary>
    private const int MaxTitleScan = 16 * SafeText.MaxTitleLength;

    private const int MaxReadingMinutes = 10_000;

    /// <summary>
    /// Every character <see cref="SafeText.Clean(string)"/> may remove: controls, noncharacters and all surrogates (a
    /// paired one is kept, but SafeText decides that). Almost every stored text has none, and a vectorized look for
    /// them costs a fiftieth of the character-by-character check.
    /// </summary>
    private static readonly SearchValues<char> MaybeUnclean = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Where(c => c is not ('\t' or '\n' or '\r')).Select(c => (char)c),
         .. Enumerable.Range(0x7F, 0x9F - 0x7F + 1).Select(c => (char)c),
         .. Enumerable.Range(0xD800, 0xDFFF - 0xD800 + 1).Select(c => (char)c),
         '\uFFFE', '\uFFFF']);

    /// <summary>What may make a text something other than one folded line: <see cref="MaybeUnclean"/> and whitespace but the space.</summary>
    private static readonly SearchValues<char> MaybeNotALine = SearchValues.Create(
        [.. Enumerable.Range(0, 0x10000).Select(c => (char)c).Where(c => (char.IsWhiteSpace(c) && c != ' ') || MaybeUnclean.Contains(c))]);

    private static readonly JsonDocumentOptions Lenient = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    /// <summary>Plain text of at most <paramref name="maxLength"/> characters on one line; null when nothing readable is left.</summary>
    /// <remarks>
    /// Markup is removed and references decoded until none is left: RSS readers commonly render a title as HTML, so
    /// "&amp;lt;script&amp;gt;" decoded once would still reach them as a tag.
    /// </remarks>
    public static string? PlainLine(string? text, int maxLength)
    {
        if (text is null)
            return null;
        if (IsLine(text, maxLength) && !LooksLikeMarkup(text))
            return text;
        var plain = SafeText.Clean(text.Length > MaxTitleScan ? text[..CutIndex(text, MaxTitleScan)] : text);
        for (var pass = 0; pass < 3 && LooksLikeMarkup(plain); pass++)
            plain = SafeText.Clean(HtmlCleaner.ToPlainText(plain));
        if (LooksLikeMarkup(plain))
            plain = TagStart().Replace(plain, "");
        return SafeText.Line(plain, maxLength);
    }

    /// <summary>The text without what <see cref="SafeText.Clean(string)"/> removes; the same instance when it has none.</summary>
    public static string? Clean(string? text) => text is null || !text.AsSpan().ContainsAny(MaybeUnclean) ? text : SafeText.Clean(text);

    /// <summary><see cref="SafeText.Line"/>, which most stored values already are.</summary>
    public static string? Line(string? text, int maxLength) => text is not null && IsLine(text, maxLength) ? text : SafeText.Line(text, maxLength);

    /// <summary>True when <see cref="SafeText.Line"/> would give the text back as it is: clean, folded, trimmed, short enough.</summary>
    private static bool IsLine(string text, int maxLength) =>
        text.Length > 0 && text.Length <= maxLength && text[0] != ' ' && text[^1] != ' '
        && !text.AsSpan().ContainsAny(MaybeNotALine) && !text.Contains("  ", StringComparison.Ordinal);

    /// <summary>The item's title: plain text, or its teaser or link when the title has nothing readable.</summary>
    public static string Title(string? title, string? teaser, string? link) =>
        PlainLine(title, SafeText.MaxTitleLength) ?? PlainLine(teaser, SafeText.MaxTitleLength) ?? link ?? "Untitled";

    /// <summary>
    /// A date within [<see cref="EarliestDate"/>, now + <see cref="LatestAhead"/>]. One outside is treated as normalization
    /// treats a missing date: the first-seen time, marked estimated.
    /// </summary>
    public static (DateTimeOffset Time, bool Estimated) Published(long publishedMs, long firstSeenMs, DateTimeOffset now) =>
        InWindow(publishedMs, now) ? (DateTimeOffset.FromUnixTimeMilliseconds(publishedMs), false) : (Time(firstSeenMs, now), true);

    /// <summary>A stored time moved into the window: the nearest end of it when outside.</summary>
    public static DateTimeOffset Time(long ms, DateTimeOffset now) =>
        DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(ms, EarliestDate.ToUnixTimeMilliseconds(), (now + LatestAhead).ToUnixTimeMilliseconds()));

    public static bool InWindow(long ms, DateTimeOffset now) =>
        ms >= EarliestDate.ToUnixTimeMilliseconds() && ms <= (now + LatestAhead).ToUnixTimeMilliseconds();

    public static int ReadingMinutes(long minutes) => (int)Math.Clamp(minutes, 0, MaxReadingMinutes);

    /// <summary>A language tag (BCP 47 shape: "en", "en-GB", "zh-Hant-TW"), else null.</summary>
    public static string? Language(string? language) =>
        language is not null && LanguageTag().IsMatch(language) ? language : null;

    /// <summary>The authors of an <c>authors_json</c> column; a malformed column or entry gives none.</summary>
    public static IReadOnlyList<Person> Authors(string? json) => Objects(json, author =>
    {
        var person = new Person(PlainLine(Text(author, "Name"), SafeText.MaxLineLength), EmailAddress(Text(author, "Email")),
            SafeText.PersonUrl(Text(author, "Uri")));
        return person is { Name: null, Email: null, Uri: null } ? null : person;
    });

    /// <summary>The categories of a <c>categories_json</c> column: distinct plain one-line strings.</summary>
    public static IReadOnlyList<string> Categories(string? json)
    {
        var categories = new List<string>();
        foreach (var element in Array(json))
        {
            if (PlainLine(StringValue(element), SafeText.MaxLineLength) is { } category
                && !categories.Contains(category, StringComparer.Ordinal))
                categories.Add(category);
            if (categories.Count == MaxListEntries)
                break;
        }
        return categories;
    }

    /// <summary>The enclosures of an <c>enclosures_json</c> column: those with an http(s) URL.</summary>
    public static IReadOnlyList<Enclosure> Enclosures(string? json) => Objects(json, enclosure =>
        SafeText.HttpUrl(Text(enclosure, "Url")) is { } url
            ? new Enclosure(url, MediaType(Text(enclosure, "Type")), Number(enclosure, "Length") is >= 0 and var length ? length : null)
            : null);

    /// <summary>"audio/mpeg": a media type's type/subtype (RFC 6838 §4.2 restricted names), else null.</summary>
    private static string? MediaType(string? type) => type is not null && MediaTypeName().IsMatch(type) ? type : null;

    /// <summary>An address as <c>addr-spec</c> roughly has it (one "@", no spaces, brackets or scheme), else null.</summary>
    private static string? EmailAddress(string? email) =>
        SafeText.Line(email) is { } line && EmailShape().IsMatch(line) ? line : null;

    private static List<T> Objects<T>(string? json, Func<JsonElement, T?> read) where T : class
    {
        var values = new List<T>();
        foreach (var element in Array(json))
        {
            if (element.ValueKind == JsonValueKind.Object && read(element) is { } value)
                values.Add(value);
            if (values.Count == MaxListEntries)
                break;
        }
        return values;
    }

    /// <summary>The elements of a JSON array column; none when the column is missing, malformed or not an array.</summary>
    private static IEnumerable<JsonElement> Array(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
            return [];
        try
        {
            using var document = JsonDocument.Parse(json, Lenient);
            return document.RootElement.ValueKind == JsonValueKind.Array
                ? document.RootElement.EnumerateArray().Select(e => e.Clone()).Take(4 * MaxListEntries).ToList()
                : [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    // Property names as the store writes them (Person, Enclosure), in any case an editor may have used.
    private static JsonElement? Property(JsonElement element, string name)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
                return property.Value;
        }
        return null;
    }

    private static string? Text(JsonElement element, string name) => Property(element, name) is { } value ? StringValue(value) : null;

    /// <summary>A JSON string's value; null for anything else, and for an escaped lone surrogate ("\ud800"), which GetString refuses.</summary>
    private static string? StringValue(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.String)
            return null;
        try
        {
            return element.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static long? Number(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt64(out var number) ? number : null;

    /// <summary>A tag or a character reference: normalization leaves neither in a title, so it is markup to read as HTML.</summary>
    private static bool LooksLikeMarkup(string text) =>
        (text.Contains('<') && TagStart().IsMatch(text)) || (text.Contains('&') && CharacterReference().IsMatch(text));

    /// <summary>An index at or before <paramref name="index"/> that does not split a surrogate pair.</summary>
    private static int CutIndex(string text, int index) => char.IsLowSurrogate(text[index]) ? index - 1 : index;

    // What an HTML parser takes for the start of a tag, comment or processing instruction (WHATWG HTML §13.2.5.6).
    [GeneratedRegex("<[A-Za-z/!?]")]
    private static partial Regex TagStart();

    [GeneratedRegex("&(#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")]
    private static partial Regex CharacterReference();

    [GeneratedRegex("^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")]
    private static partial Regex LanguageTag();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$")]
    private static partial Regex MediaTypeName();

    [GeneratedRegex(@"^[^\s@<>()\[\]:;,""]+@[^\s@<>()\[\]:;,""]+$")]
    private static partial Regex EmailShape();
}
