using System.Text;

namespace Feeds.Tests.Support;

/// <summary>
/// Documents a hostile or sloppy source sends, one of each kind that once broke a page or a poll: dates outside any
/// sane window, raw and referenced control characters, lone surrogates, huge and marked-up titles, script URLs,
/// repeated identities, a document far over the item limit, and JSON that is no feed.
/// </summary>
public static class HostileFeeds
{
    public static byte[] Rss(params string[] items) => Encoding.UTF8.GetBytes(
        $"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Hostile</title><link>https://hostile.example/</link><description>d</description>{string.Concat(items)}</channel></rss>""");

    public static string Item(string title, string guid, string? pubDate = null, string? link = null, string description = "<p>Body text.</p>") =>
        $"<item><title>{title}</title><guid isPermaLink=\"false\">{guid}</guid><link>{link ?? "https://hostile.example/" + Uri.EscapeDataString(guid)}</link>"
        + (pubDate is null ? "" : $"<pubDate>{pubDate}</pubDate>")
        + $"<description><![CDATA[{description}]]></description></item>";

    /// <summary>Items dated year 1, 1800, 3000 and 9999, in RSS and in an ISO form.</summary>
    public static byte[] OutOfRangeDates() => Rss(
        Item("Dated year one", "d1", "Mon, 01 Jan 0001 00:00:00 GMT"),
        Item("Dated 1800", "d2", "Wed, 01 Jan 1800 00:00:00 GMT"),
        Item("Dated 3000", "d3", "Wed, 01 Jan 3000 00:00:00 GMT"),
        Item("Dated 9999", "d4", "9999-12-31T23:59:59Z"),
        Item("Dated normally", "d5", DateTimeOffset.UtcNow.AddHours(-1).ToString("R")));

    /// <summary>Raw U+0000 bytes and other C0 bytes in titles, text and bylines.</summary>
    public static byte[] RawControlBytes()
    {
        var text = Encoding.UTF8.GetString(Rss(
            Item("Nul\u0000in the\u0001title", "n1", description: "<p>body\u0000with\u0008nul</p>"),
            Item("Second\u001Fitem", "n2\u0000guid")));
        return Encoding.UTF8.GetBytes(text.Replace("<guid", "<dc:creator>Ann\u0000Author</dc:creator><guid"));
    }

    /// <summary>Control characters and surrogates written as character references, which a lenient parser expands.</summary>
    public static byte[] ReferencedControls() => Rss(
        Item("Ref&#1;erence &#x1F;title &#x80;&#x9F; &#127;", "r1", description: "&lt;p&gt;a&amp;#0;b&amp;#xD800;c&lt;/p&gt;"),
        Item("Surrogate &#xD800; half &#xDFFF;", "r2"),
        Item("Noncharacter &#xFFFE;&#xFFFF;", "r3"));

    /// <summary>A JSON Feed whose strings hold lone surrogates and controls as JSON escapes.</summary>
    public static byte[] JsonFeedWithLoneSurrogates() => Encoding.UTF8.GetBytes("""
        {"version":"https://jsonfeed.org/version/1.1","title":"Lone \ud800 surrogate","home_page_url":"https://hostile.example/",
         "items":[{"id":"s1","url":"https://hostile.example/s1","title":"Half \udc00 pair \u0000 nul","content_html":"<p>x\ud83d y\u0001</p>",
                   "authors":[{"name":"Bad \ud800 name","url":"javascript:alert(1)"}],"tags":["t\u0000ag"],"date_published":"2026-11-01T10:00:00Z"}]}
        """);

    /// <summary>A title of <paramref name="length"/> characters.</summary>
    public static byte[] HugeTitle(int length = 1024 * 1024) => Rss(Item(new string('W', length / 2) + " " + new string('x', length / 2), "big"));

    /// <summary>Titles that carry markup, escaped and in CDATA, which readers that render titles as HTML would run.</summary>
    public static byte[] MarkupTitles() => Rss(
        Item("&lt;script&gt;alert(1)&lt;/script&gt;Scripted headline", "m1"),
        Item("Closing &lt;/title&gt;&lt;script&gt;alert(2)&lt;/script&gt; tag", "m2"),
        Item("<![CDATA[<svg onload=alert(3)>Vector</svg> headline]]>", "m3"),
        Item("<![CDATA[<img src=x onerror=alert(4)> imaged]]>", "m4"));

    /// <summary>An Atom feed whose links, author uri, enclosure and image are script URLs.</summary>
    public static byte[] ScriptUrlsAtom() => Encoding.UTF8.GetBytes("""
        <?xml version="1.0" encoding="utf-8"?>
        <feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
          <title>Scripted</title><id>urn:x:scripted</id><updated>2026-11-01T10:00:00Z</updated>
          <link rel="alternate" href="javascript:alert('feed')"/>
          <entry>
            <title>Scripted author</title><id>urn:x:1</id><updated>2026-11-01T10:00:00Z</updated>
            <link rel="alternate" href="javascript:alert('link')"/>
            <link rel="enclosure" href="javascript:alert('enclosure')" type="audio/mpeg" length="1"/>
            <media:thumbnail url="javascript:alert('image')"/>
            <author><name>Mallory</name><uri>javascript:alert('author')</uri><email>mallory@example.com</email></author>
            <content type="html">&lt;p&gt;&lt;a href="javascript:alert('body')"&gt;click&lt;/a&gt;&lt;/p&gt;</content>
          </entry>
          <entry>
            <title>Data author</title><id>urn:x:2</id><updated>2026-11-01T11:00:00Z</updated>
            <link rel="alternate" href="https://hostile.example/2"/>
            <author><name>Eve</name><uri>data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;</uri></author>
          </entry>
        </feed>
        """);

    /// <summary>Six items sharing three guids (same guid, same link, other titles) and one distinct item: four stories.</summary>
    public static byte[] RepeatedIdentities() => Rss(
        Item("First version A", "g1", link: "https://hostile.example/a"),
        Item("Second version A", "g1", link: "https://hostile.example/a"),
        Item("First version B", "g2", link: "https://hostile.example/b"),
        Item("Second version B", "g2", link: "https://hostile.example/b"),
        Item("First version C", "g3", link: "https://hostile.example/c"),
        Item("Second version C", "g3", link: "https://hostile.example/c"),
        Item("Distinct D", "g4", link: "https://hostile.example/d"));

    /// <summary>A well-formed feed with <paramref name="count"/> small items (about 90 bytes each), newest first, a minute apart.</summary>
    public static byte[] ManyItems(int count)
    {
        var start = DateTimeOffset.UtcNow.AddMinutes(-1);
        var items = new StringBuilder(count * 100);
        for (var i = 0; i < count; i++)
            items.Append($"<item><title>Item number {i}</title><guid>m{i}</guid><pubDate>{start.AddMinutes(-i):R}</pubDate></item>");
        return Rss(items.ToString());
    }

    /// <summary>JSON that is no JSON Feed.</summary>
    public static byte[] PlainJson() => """{"status":"ok","items":[{"id":1,"title":"not a feed item"}]}"""u8.ToArray();
}
