using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using Feeds.Core.Normalization;

namespace Feeds.Tests.Support;

/// <summary>
/// Everything a reader or an operator can fetch from a running service, fetched and checked against the promises
/// every page keeps whatever the sources sent: 200, well-formed XML to a strict reader, JSON that parses, no control
/// characters, no script URL, no title over the limit, no date outside the sane window.
/// </summary>
public static partial class PublishedSurface
{
    /// <summary>The pages of the service for the given sections, with how each must parse.</summary>
    public static IEnumerable<(string Path, string? Accept, Kind Kind)> Pages(IEnumerable<string> sectionIds)
    {
        yield return ("/", null, Kind.Html);
        yield return ("/status", null, Kind.Html);
        yield return ("/status", "application/json", Kind.Json);
        yield return ("/sections.opml", null, Kind.Xml);
        yield return ("/metrics", null, Kind.Text);
        foreach (var id in sectionIds)
        {
            yield return ($"/sections/{id}", null, Kind.Html);
            yield return ($"/sections/{id}/rss", null, Kind.Xml);
            yield return ($"/sections/{id}/atom", null, Kind.Xml);
            yield return ($"/sections/{id}/json", null, Kind.Json);
        }
    }

    public enum Kind { Html, Xml, Json, Text }

    /// <summary>Fetches every page and asserts each promise; returns the bodies by path (and Accept) for further checks.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> CheckAllAsync(HttpClient client, IEnumerable<string> sectionIds, DateTimeOffset now)
    {
        var bodies = new Dictionary<string, string>();
        foreach (var (path, accept, kind) in Pages(sectionIds))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path.TrimStart('/'));
            if (accept is not null)
                request.Headers.Accept.ParseAdd(accept);
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            var name = accept is null ? path : $"{path} ({accept})";
            Assert.True(response.IsSuccessStatusCode, $"{name} answered {(int)response.StatusCode}: {Head(body)}");
            Assert.True(SafeText.IsClean(body), $"{name} holds a control character or a lone surrogate");
            Assert.DoesNotContain("javascript:", body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("vbscript:", body, StringComparison.OrdinalIgnoreCase);
            // In markup a reference is a character; in JSON or plain text "&#0;" is only text.
            if (kind is Kind.Html or Kind.Xml)
                Assert.True(ControlReference(body) is null, $"{name} holds a reference to a character XML or a reader refuses: {ControlReference(body)}");
            switch (kind)
            {
                case Kind.Xml:
                    CheckXml(name, body, now);
                    break;
                case Kind.Json:
                    CheckJson(name, body, now);
                    break;
            }
            bodies[name] = body;
        }
        return bodies;
    }

    /// <summary>Well-formed to a reader that checks characters; titles bounded and plain; dates in the window.</summary>
    private static void CheckXml(string name, string body, DateTimeOffset now)
    {
        XDocument document;
        using (var reader = XmlReader.Create(new StringReader(body), new XmlReaderSettings { CheckCharacters = true, DtdProcessing = DtdProcessing.Prohibit }))
            document = XDocument.Load(reader);
        foreach (var title in document.Descendants().Where(e => e.Name.LocalName == "title" && e.Parent?.Name.LocalName is "item" or "entry"))
        {
            Assert.True(title.Value.Length <= SafeText.MaxTitleLength, $"{name}: a title of {title.Value.Length} characters");
            Assert.False(LooksLikeMarkup(title.Value), $"{name}: a title with markup: {title.Value}");
        }
        foreach (var date in document.Descendants().Where(e => e.Name.LocalName is "pubDate" or "updated" or "published" or "lastBuildDate"))
            AssertInWindow(name, ParseDate(date.Value), now);
    }

    private static void CheckJson(string name, string body, DateTimeOffset now)
    {
        using var document = JsonDocument.Parse(body);
        if (document.RootElement.TryGetProperty("items", out var items))
        {
            foreach (var item in items.EnumerateArray())
            {
                if (item.TryGetProperty("title", out var title))
                {
                    Assert.True(title.GetString()!.Length <= SafeText.MaxTitleLength, $"{name}: a title of {title.GetString()!.Length} characters");
                    Assert.False(LooksLikeMarkup(title.GetString()!), $"{name}: a title with markup: {title.GetString()}");
                }
                foreach (var field in new[] { "date_published", "date_modified" })
                {
                    if (item.TryGetProperty(field, out var date))
                        AssertInWindow(name, DateTimeOffset.Parse(date.GetString()!, CultureInfo.InvariantCulture), now);
                }
            }
        }
        foreach (var text in Strings(document.RootElement))
            Assert.True(SafeText.IsClean(text), $"{name} holds a control character or a lone surrogate in a JSON string");
    }

    private static IEnumerable<string> Strings(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Strings),
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Strings(p.Value).Append(p.Name)),
        _ => [],
    };

    public static void AssertInWindow(string name, DateTimeOffset date, DateTimeOffset now)
    {
        Assert.True(date >= DateTimeOffset.UnixEpoch, $"{name}: a date before 1970 ({date:O})");
        Assert.True(date <= now.AddDays(1), $"{name}: a date more than a day ahead ({date:O})");
    }

    private static DateTimeOffset ParseDate(string text) =>
        DateTimeOffset.TryParse(text.Replace(" GMT", " +0000"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            ? date
            : throw new FormatException($"unreadable date in our own output: {text}");

    /// <summary>A tag, a closing tag, a comment or a CDATA section; a lone "&lt;" as in "A &lt; B" is text.</summary>
    public static bool LooksLikeMarkup(string text) => Tag().IsMatch(text);

    [GeneratedRegex(@"<\s*[a-zA-Z/!?]")]
    private static partial Regex Tag();

    private static string Head(string body) => body.Length > 300 ? body[..300] : body;

    /// <summary>The first character reference in <paramref name="body"/> to a control character or a surrogate half, if any.</summary>
    private static string? ControlReference(string body)
    {
        foreach (Match reference in CharacterReference().Matches(body))
        {
            var hex = reference.Groups[1].Value.Length > 0;
            var digits = reference.Groups[2].Value;
            if (digits.Length > 8)
                return reference.Value;
            var code = hex ? long.Parse(digits, NumberStyles.HexNumber, CultureInfo.InvariantCulture) : long.Parse(digits, CultureInfo.InvariantCulture);
            if (code > 0x10FFFF || (code <= 0xFFFF && !SafeText.IsClean(((char)code).ToString())))
                return reference.Value;
        }
        return null;
    }

    [GeneratedRegex(@"&#(x?)([0-9a-f]+);", RegexOptions.IgnoreCase)]
    private static partial Regex CharacterReference();
}
