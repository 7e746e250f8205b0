using System.Text.Json;
using System.Xml;
using System.Xml.Linq;

namespace Feeds.Tests.Publishing;

/// <summary>A URL in a published document; a person's (Atom author uri, JSON Feed authors[].url) may be mailto:.</summary>
public sealed record PublishedUrl(string Url, bool IsPersons)
{
    /// <summary>Absolute http(s); mailto: too for a person's.</summary>
    public bool IsSafe => Uri.TryCreate(Url, UriKind.Absolute, out var uri) && (uri.Scheme is "http" or "https" || (IsPersons && uri.Scheme == "mailto"));

    public override string ToString() => Url;
}

/// <summary>Every URL a published document points a reader to, for tests that say what scheme each may have.</summary>
public static class PublishedUrls
{
    // Where URLs stand in RSS 2.0, Atom 1.0 (RFC 4287), Media RSS and JSON Feed 1.1.
    private static readonly HashSet<string> XmlUrlAttributes = ["href", "url", "src"];
    private static readonly HashSet<string> XmlUrlElements = ["link", "uri", "docs", "comments"];
    private static readonly HashSet<string> JsonUrlProperties = ["url", "home_page_url", "feed_url", "next_url", "image", "banner_image", "icon", "favicon", "external_url", "avatar"];

    /// <summary>The URLs of an RSS or Atom document, read with a strict reader (it throws on anything XML 1.0 does not allow).</summary>
    public static IReadOnlyList<PublishedUrl> InXml(byte[] xml)
    {
        using var reader = XmlReader.Create(new MemoryStream(xml), new XmlReaderSettings { CheckCharacters = true, DtdProcessing = DtdProcessing.Prohibit });
        var document = XDocument.Load(reader);
        return document.Descendants().SelectMany(element =>
                element.Attributes().Where(a => XmlUrlAttributes.Contains(a.Name.LocalName)).Select(a => new PublishedUrl(a.Value, IsPersons: false))
                    .Concat(XmlUrlElements.Contains(element.Name.LocalName) && !element.HasElements && element.Value.Length > 0
                        ? [new PublishedUrl(element.Value.Trim(), IsPersons: element.Name.LocalName == "uri")]
                        : []))
            .ToList();
    }

    /// <summary>The URLs of a JSON Feed document.</summary>
    public static IReadOnlyList<PublishedUrl> InJson(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var urls = new List<PublishedUrl>();
        Collect(document.RootElement, urls, inAuthors: false);
        return urls;
    }

    /// <summary>The href and src values of an HTML page.</summary>
    public static IReadOnlyList<PublishedUrl> InHtml(string html) =>
        System.Text.RegularExpressions.Regex.Matches(html, "\\s(?:href|src)=\"([^\"]*)\"")
            .Select(m => new PublishedUrl(System.Net.WebUtility.HtmlDecode(m.Groups[1].Value), IsPersons: false)).ToList();

    private static void Collect(JsonElement element, List<PublishedUrl> urls, bool inAuthors)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var child in element.EnumerateArray())
                Collect(child, urls, inAuthors);
        }
        else if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (JsonUrlProperties.Contains(property.Name) && property.Value.ValueKind == JsonValueKind.String)
                    urls.Add(new PublishedUrl(property.Value.GetString()!, inAuthors));
                else
                    Collect(property.Value, urls, inAuthors || property.Name == "authors");
            }
        }
    }
}
