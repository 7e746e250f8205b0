using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Feeds.Tests.Support;

/// <summary>
/// The rules the W3C Feed Validation Service (validator.w3.org/feed) applies to a feed, checked offline: it cannot be
/// reached from the test machines, and no well-kept validator is packaged for npm or Debian. Each rule names where it
/// comes from; a broken rule fails with the feed, the rule and the offending value.
/// </summary>
public static partial class FeedValidatorRules
{
    private static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";

    /// <summary>RSS 2.0 (RSS Board specification) as the validator reads it.</summary>
    public static void CheckRss(string name, string body)
    {
        var rss = XDocument.Parse(body).Root!;
        Rule(name, "RSS: the root is <rss version=\"2.0\">", rss.Name.LocalName == "rss" && (string?)rss.Attribute("version") == "2.0", rss.Name.LocalName);
        var channel = Assert.Single(rss.Elements("channel"));
        foreach (var required in new[] { "title", "link", "description" })
            Rule(name, $"RSS: channel has a non-empty <{required}> (required channel elements)", !string.IsNullOrWhiteSpace((string?)channel.Element(required)), required);
        Rule(name, "RSS: <link> is an absolute URL", IsAbsoluteUrl((string?)channel.Element("link")), (string?)channel.Element("link"));
        var self = channel.Elements(Atom + "link").Where(l => (string?)l.Attribute("rel") == "self").ToList();
        Rule(name, "RSS: channel has atom:link rel=\"self\" (the validator's \"Missing atom:link with rel=self\")", self.Count == 1, self.Count);
        Rule(name, "RSS: atom:link rel=\"self\" is absolute and typed application/rss+xml",
            IsAbsoluteUrl((string?)self[0].Attribute("href")) && (string?)self[0].Attribute("type") == "application/rss+xml", self[0]);
        foreach (var date in channel.Descendants().Where(e => e.Name.LocalName is "pubDate" or "lastBuildDate" && e.Name.Namespace == XNamespace.None))
            Rule(name, "RSS: dates are RFC 822 date-times with a four-digit year", IsRfc822(date.Value), date.Value);
        var guids = new HashSet<string>();
        foreach (var item in channel.Elements("item"))
        {
            Rule(name, "RSS: an item has a title or a description", item.Element("title") is not null || item.Element("description") is not null, item);
            if (item.Element("link") is { } link)
                Rule(name, "RSS: an item's <link> is an absolute URL", IsAbsoluteUrl(link.Value), link.Value);
            if (item.Element("guid") is { } guid)
            {
                // "guid must be a full URL, unless isPermaLink attribute is false"
                var isPermaLink = (string?)guid.Attribute("isPermaLink") ?? "true";
                Rule(name, "RSS: isPermaLink is true or false", isPermaLink is "true" or "false", isPermaLink);
                Rule(name, "RSS: a guid that is a permalink (isPermaLink absent or true) is a full URL", isPermaLink == "false" || IsAbsoluteUrl(guid.Value), guid.Value);
                Rule(name, "RSS: guids are unique in the channel", guids.Add(guid.Value), guid.Value);
            }
        }
    }

    /// <summary>Atom (RFC 4287) as the validator reads it.</summary>
    public static void CheckAtom(string name, string body)
    {
        var feed = XDocument.Parse(body).Root!;
        Rule(name, "Atom: the root is atom:feed", feed.Name == Atom + "feed", feed.Name);
        CheckAtomCommon(name, "feed", feed);
        var self = feed.Elements(Atom + "link").Where(l => (string?)l.Attribute("rel") == "self").ToList();
        Rule(name, "Atom: the feed has one link rel=\"self\" with an absolute href (RFC 4287 §4.1.1 SHOULD)", self.Count == 1 && IsAbsoluteUrl((string?)self[0].Attribute("href")), self.Count);
        var entries = feed.Elements(Atom + "entry").ToList();
        // RFC 4287 §4.1.1: a feed MUST have an author unless every entry has one.
        Rule(name, "Atom: the feed has an atom:author unless every entry has one (§4.1.1)",
            feed.Element(Atom + "author") is not null || entries.All(e => e.Element(Atom + "author") is not null), feed.Element(Atom + "title")?.Value);
        var ids = new HashSet<string>();
        foreach (var entry in entries)
        {
            CheckAtomCommon(name, "entry", entry);
            Rule(name, "Atom: entry ids are unique in the feed (§4.1.1)", ids.Add((string)entry.Element(Atom + "id")!), entry.Element(Atom + "id")?.Value);
            // §4.1.2: an entry without content MUST have a link rel="alternate".
            Rule(name, "Atom: an entry without atom:content has a link rel=\"alternate\" (§4.1.2)",
                entry.Element(Atom + "content") is not null
                || entry.Elements(Atom + "link").Any(l => ((string?)l.Attribute("rel") ?? "alternate") == "alternate"), entry.Element(Atom + "title")?.Value);
        }
    }

    /// <summary>What a feed and an entry each need (RFC 4287 §4.1.1, §4.1.2): one id (an absolute IRI), one title, one updated (RFC 3339).</summary>
    private static void CheckAtomCommon(string name, string what, XElement element)
    {
        foreach (var required in new[] { "id", "title", "updated" })
            Rule(name, $"Atom: {what} has exactly one atom:{required}", element.Elements(Atom + required).Count() == 1, element.Element(Atom + "title")?.Value);
        Rule(name, $"Atom: {what} id is an absolute IRI (§4.2.6)", Uri.TryCreate((string?)element.Element(Atom + "id"), UriKind.Absolute, out _), element.Element(Atom + "id")?.Value);
        foreach (var date in element.Elements().Where(e => e.Name == Atom + "updated" || e.Name == Atom + "published"))
            Rule(name, "Atom: dates are RFC 3339 date-times (§3.3)", Rfc3339().IsMatch(date.Value), date.Value);
        foreach (var link in element.Elements(Atom + "link"))
            Rule(name, "Atom: a link has an href (§4.2.7.1)", !string.IsNullOrEmpty((string?)link.Attribute("href")), link);
    }

    /// <summary>JSON Feed 1.1 (jsonfeed.org/version/1.1) as its validators read it.</summary>
    public static void CheckJsonFeed(string name, string body)
    {
        var feed = JsonDocument.Parse(body).RootElement;
        Rule(name, "JSON Feed: version is https://jsonfeed.org/version/1.1", String(feed, "version") == "https://jsonfeed.org/version/1.1", String(feed, "version"));
        Rule(name, "JSON Feed: title is a non-empty string (required)", !string.IsNullOrEmpty(String(feed, "title")), String(feed, "title"));
        foreach (var url in new[] { "home_page_url", "feed_url" })
            Rule(name, $"JSON Feed: {url} is an absolute URL", IsAbsoluteUrl(String(feed, url)), String(feed, url));
        Rule(name, "JSON Feed: items is an array (required)", feed.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array, feed);
        var ids = new HashSet<string>();
        foreach (var item in items.EnumerateArray())
        {
            var id = String(item, "id");
            Rule(name, "JSON Feed: an item's id is a non-empty string (required), unique in the feed", !string.IsNullOrEmpty(id) && ids.Add(id!), id);
            Rule(name, "JSON Feed: an item has content_html or content_text (one is required)",
                String(item, "content_html") is not null || String(item, "content_text") is not null, id);
            foreach (var date in new[] { "date_published", "date_modified" }.Select(key => String(item, key)).OfType<string>())
                Rule(name, "JSON Feed: dates are RFC 3339", Rfc3339().IsMatch(date), date);
            if (String(item, "url") is { } url)
                Rule(name, "JSON Feed: an item's url is an absolute URL", IsAbsoluteUrl(url), url);
        }
    }

    private static void Rule(string name, string rule, bool kept, object? value) =>
        Assert.True(kept, $"{name} breaks the rule \"{rule}\": {value}");

    private static string? String(JsonElement element, string key) =>
        element.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool IsAbsoluteUrl(string? text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";

    /// <summary>RFC 822 §5 as updated by RFC 1123 (four-digit years), which the validator asks of RSS dates.</summary>
    private static bool IsRfc822(string text) =>
        // The zone is checked by the pattern; parsing the rest checks the date exists and the day name is its own.
        Rfc822().IsMatch(text) && DateTime.TryParseExact(text[..text.LastIndexOf(' ')], "ddd, d MMM yyyy HH:mm:ss",
            CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    [GeneratedRegex(@"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} (GMT|UT|[+-]\d{4})$")]
    private static partial Regex Rfc822();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339();
}
