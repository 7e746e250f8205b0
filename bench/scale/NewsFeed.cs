using System.Globalization;
using System.Text;

namespace Feeds.Bench.Scale;

/// <summary>
/// One source's publishing history as a pure function of the source's number and the clock, so the server keeps no
/// per-item state and a re-poll sees exactly the items it saw before: item <c>k</c> appears at
/// <see cref="PublishedAt"/>, about one <see cref="Gap"/> after item <c>k - 1</c>. At the server's start every source
/// already has a full window of items, and from then on publishes in real time.
/// </summary>
internal sealed class SourceTimeline
{
    private readonly int _source;
    private readonly DateTimeOffset _anchor;

    public SourceTimeline(int source, DateTimeOffset start, int window, double speed = 1)
    {
        _source = source;
        // One to five hours between items: the service then polls each source every 30 to 150 minutes (half the gap),
        // so after the cold ingest nothing is due for half an hour, and an hour of polling still sees new items.
        Gap = TimeSpan.FromMinutes(60 + (int)(Mix(source, -1) % 241)) / speed;
        _anchor = start - Gap * (window + Mix(source, -2) % 1000 / 1000.0);
    }

    public TimeSpan Gap { get; }

    /// <summary>When item <paramref name="k"/> appears: its slot, plus up to half a gap, so gaps vary as real ones do.</summary>
    public DateTimeOffset PublishedAt(long k) => _anchor + Gap * k + Gap * (Mix(_source, k) % 500 / 1000.0);

    /// <summary>The newest item published by <paramref name="now"/>.</summary>
    public long NewestAt(DateTimeOffset now)
    {
        var k = (long)Math.Floor((now - _anchor) / Gap);
        while (k > 0 && PublishedAt(k) > now)
            k--;
        return k;
    }

    /// <summary>A stable hash (SplitMix64's finalizer) of a source and an item: the same numbers in every run and process.</summary>
    public static ulong Mix(int source, long item)
    {
        var z = ((ulong)(uint)source << 40) ^ (ulong)item ^ 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>
/// News-like RSS 2.0 and Atom 1.0 documents in the style of <c>shared/bench/gen_corpus.py</c> (3 sources of 4 RSS,
/// 1 Atom): sentences of news words, entities, links, figures, lists and quotes in 3–5 KB of HTML per item,
/// authors, categories, media:content, and dates in assorted time zones. Every item's text is generated from its own
/// seed, so it is byte-identical on every poll.
/// </summary>
internal static class NewsFeed
{
    private static readonly string[] Words = """
        the a of to in and for on with at by from as is was were has have will
        would could said says government city council minister police report market shares
        company percent year week month election vote campaign court judge law health hospital
        school students teachers climate energy power water river storm weather flood fire
        train station airport flight border trade deal talks summit leaders union workers strike
        wages prices inflation bank rates budget tax spending housing rent homes project plan
        study research scientists data results team season match coach players final league
        cup record museum festival film music artist book author theatre gallery exhibition
        technology software users privacy security network service internet phone app startup
        investors funding billion million residents community local national international
        officials spokesperson statement interview analysis opinion editorial update breaking
        morning evening tonight yesterday tomorrow earlier later recently already still however
        although because while after before during against between under over into through
        new old first last next major minor public private federal regional northern southern
        eastern western central coastal rural urban independent former current acting senior
        """.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static readonly string[] Names =
    [
        "Alice Martin", "Bob Nguyen", "Chloé Dubois", "Dmitri Ivanov", "Eva Müller", "Farid Haddad", "Grace O'Neill",
        "Hiro Tanaka", "Inès García", "Jonas Berg", "Kwame Mensah", "Lucía Fernández", "Mei Chen", "Nadia Kowalski",
        "Oscar Lind", "Priya Sharma", "Quentin Roux", "Rosa Costa", "Samir Khan", "Tess Walker",
    ];

    private static readonly string[] Sections =
        ["World", "Politics", "Business", "Technology", "Science", "Health", "Sport", "Culture", "Climate", "Opinion", "Local", "Travel"];

    private static readonly string[] Tags =
    [
        "economy", "elections", "energy", "transport", "housing", "education", "ai", "privacy", "football", "tennis", "music",
        "film", "books", "weather", "courts", "europe", "asia", "africa", "americas", "markets", "startups", "space", "ocean",
    ];

    private static readonly string[] Entities =
        ["&amp;", "&quot;", "&#8217;", "&#8220;", "&#8221;", "&nbsp;", "&mdash;", "&eacute;", "&hellip;", "&#x2013;", "&lt;", "&gt;", "&copy;"];

    private static readonly (string Name, int Minutes)[] Zones = [("+0000", 0), ("GMT", 0), ("-0500", -300), ("+0100", 60), ("+0530", 330), ("-0800", -480)];

    /// <summary>
    /// The bulk of item bodies, drawn from a pool (as written in RSS, and escaped as Atom carries HTML): generating 4 KB
    /// of HTML per item per poll would make this server, not the service, the bottleneck of a cold ingest. Each item
    /// still opens with a paragraph of its own, so no two bodies are alike and nothing keyed by content can skip an
    /// item's work.
    /// </summary>
    private static readonly string[] Bodies = Enumerable.Range(0, 256)
        .Select(i => HtmlBody(new Random(1_000_000 + i), "news.example.net", 2_600 + i * 10))
        .ToArray();

    private static readonly string[] EscapedBodies = Bodies.Select(Escape).ToArray();

    public static bool IsAtom(int source) => source % 4 == 3;

    /// <summary>Appends the document of <paramref name="source"/> holding its items <paramref name="oldest"/> to <paramref name="newest"/>.</summary>
    public static void Write(StringBuilder text, int source, SourceTimeline timeline, long oldest, long newest)
    {
        var host = $"src{source:D5}.example.net";
        var updated = timeline.PublishedAt(newest);
        var channel = new Random((int)SourceTimeline.Mix(source, -3));
        if (IsAtom(source))
            Atom(text, channel, source, host, updated);
        else
            Rss(text, channel, source, host, updated);
        for (var k = newest; k >= oldest; k--)
        {
            var item = Item(source, k, host, timeline.PublishedAt(k));
            if (IsAtom(source))
                AtomEntry(text, item, host);
            else
                RssItem(text, item);
        }
        text.Append(IsAtom(source) ? "</feed>\n" : "</channel>\n</rss>\n");
    }

    private sealed record NewsItem(string Title, string Link, string Guid, DateTimeOffset Published, (string Name, int Minutes) Zone,
        string Author, List<string> Categories, string Summary, string Lead, int Body, string Image, int ImageWidth, string Person);

    private static NewsItem Item(int source, long k, string host, DateTimeOffset published)
    {
        var r = new Random((int)SourceTimeline.Mix(source, k));
        var section = Pick(r, Sections);
        var title = Sentence(r, 5, 12).TrimEnd('.', '?', '!');
        if (r.NextDouble() < 0.2)
            title = ReplaceFirst(title, " ", " & ");
        var day = published.UtcDateTime;
        var link = $"https://{host}/{section.ToLowerInvariant()}/{day:yyyy'/'MM'/'dd}/{Slug(r, 5)}";
        var guid = r.NextDouble() < 0.5
            ? $"https://{host}/a/{r.Next(100_000_000, 1_000_000_000)}"
            : $"urn:uuid:{r.Next():x8}-{r.Next(0x10000):x4}-4{r.Next(0x1000):x3}-a{r.Next(0x1000):x3}-{r.NextInt64(1L << 48):x12}";
        var categories = new List<string> { section };
        categories.AddRange(Tags.OrderBy(_ => r.Next()).Take(r.Next(0, 4)));
        var summary = string.Join(' ', Enumerable.Range(0, r.Next(1, 4)).Select(_ => Sentence(r)));
        var lead = $"<p>{Sentence(r, 12, 30)} {Sentence(r, 12, 30)}</p>\n";
        var image = $"https://img.{host}/{r.Next(1000, 100_000)}/{Slug(r, 2)}.jpg";
        return new NewsItem(title, link, guid, published, Pick(r, Zones), Pick(r, Names), categories, summary, lead, r.Next(Bodies.Length), image,
            Pick(r, [640, 1024, 1200]), Slug(r, 1));
    }

    private static void Rss(StringBuilder text, Random r, int source, string host, DateTimeOffset updated) =>
        text.Append(CultureInfo.InvariantCulture, $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/" xmlns:atom="http://www.w3.org/2005/Atom">
            <channel>
            <title>Source {source}</title>
            <link>https://{host}/</link>
            <atom:link href="https://{host}/feed.rss" rel="self" type="application/rss+xml"/>
            <description>{Escape(Sentence(r))}</description>
            <language>en</language>
            <lastBuildDate>{Rfc822(updated, Zones[0])}</lastBuildDate>
            <ttl>15</ttl>
            <image><url>https://img.{host}/logo.png</url><title>Source {source}</title><link>https://{host}/</link></image>

            """);

    private static void RssItem(StringBuilder text, NewsItem item)
    {
        text.Append(CultureInfo.InvariantCulture, $"<item>\n<title>{Escape(item.Title)}</title>\n<link>{item.Link}</link>\n");
        text.Append(CultureInfo.InvariantCulture, $"<guid isPermaLink=\"{(item.Guid.StartsWith("https:", StringComparison.Ordinal) ? "true" : "false")}\">{item.Guid}</guid>\n");
        text.Append(CultureInfo.InvariantCulture, $"<pubDate>{Rfc822(item.Published, item.Zone)}</pubDate>\n<dc:creator>{Escape(item.Author)}</dc:creator>\n");
        foreach (var category in item.Categories)
            text.Append(CultureInfo.InvariantCulture, $"<category>{Escape(category)}</category>\n");
        text.Append(CultureInfo.InvariantCulture, $"<description>{Escape($"<p>{item.Summary}</p>")}</description>\n");
        text.Append(CultureInfo.InvariantCulture, $"<content:encoded><![CDATA[{item.Lead}{Bodies[item.Body]}]]></content:encoded>\n");
        text.Append(CultureInfo.InvariantCulture,
            $"<media:content url=\"{item.Image}\" medium=\"image\" type=\"image/jpeg\" width=\"{item.ImageWidth}\" height=\"{item.ImageWidth * 9 / 16}\"><media:credit>{Escape(item.Author)}</media:credit></media:content>\n</item>\n");
    }

    private static void Atom(StringBuilder text, Random r, int source, string host, DateTimeOffset updated) =>
        text.Append(CultureInfo.InvariantCulture, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/" xml:lang="en">
            <title>Source {source}</title>
            <subtitle>{Escape(Sentence(r))}</subtitle>
            <link rel="alternate" type="text/html" href="https://{host}/"/>
            <link rel="self" type="application/atom+xml" href="https://{host}/feed.atom"/>
            <id>https://{host}/feed.atom</id>
            <updated>{Rfc3339(updated, Zones[0])}</updated>
            <icon>https://img.{host}/icon.png</icon>

            """);

    private static void AtomEntry(StringBuilder text, NewsItem item, string host)
    {
        var time = Rfc3339(item.Published, item.Zone);
        var id = item.Guid.StartsWith("https:", StringComparison.Ordinal)
            ? $"tag:{host},{item.Published.UtcDateTime.Year}:{item.Guid[(item.Guid.LastIndexOf('/') + 1)..]}"
            : item.Guid;
        // The title is HTML (type="html"), escaped once more to be carried as XML text, as gen_corpus writes it.
        text.Append(CultureInfo.InvariantCulture, $"<entry>\n<title type=\"html\">{Escape(Escape(item.Title))}</title>\n");
        text.Append(CultureInfo.InvariantCulture, $"<link rel=\"alternate\" type=\"text/html\" href=\"{item.Link}\"/>\n");
        text.Append(CultureInfo.InvariantCulture, $"<id>{id}</id>\n<published>{time}</published>\n<updated>{time}</updated>\n");
        text.Append(CultureInfo.InvariantCulture, $"<author><name>{Escape(item.Author)}</name><uri>https://{host}/people/{item.Person}</uri></author>\n");
        foreach (var category in item.Categories)
            text.Append(CultureInfo.InvariantCulture, $"<category term=\"{Escape(category.ToLowerInvariant())}\" label=\"{Escape(category)}\"/>\n");
        text.Append(CultureInfo.InvariantCulture, $"<summary type=\"html\">{Escape($"<p>{item.Summary}</p>")}</summary>\n");
        text.Append(CultureInfo.InvariantCulture, $"<content type=\"html\">{Escape(item.Lead)}{EscapedBodies[item.Body]}</content>\n");
        text.Append(CultureInfo.InvariantCulture, $"<media:content url=\"{item.Image}\" medium=\"image\" type=\"image/jpeg\" width=\"{item.ImageWidth}\"/>\n</entry>\n");
    }

    /// <summary>HTML like a news article's: paragraphs with links, emphasis and entities, figures, lists, quotes, headings.</summary>
    private static string HtmlBody(Random r, string host, int length)
    {
        var parts = new List<string>();
        var size = 0;
        while (size < length)
        {
            var roll = r.NextDouble();
            string part;
            if (roll < 0.10)
                part = $"<figure><img src=\"https://img.{host}/{r.Next(1000, 100_000)}/{Slug(r, 2)}.jpg\" alt=\"{Escape(Sentence(r, 3, 7))}\" width=\"{Pick(r, [640, 800, 1200])}\" height=\"{Pick(r, [360, 450, 675])}\" loading=\"lazy\"/><figcaption>{Sentence(r, 5, 10)} Photo: {Pick(r, Names)}</figcaption></figure>";
            else if (roll < 0.16)
                part = "<ul>" + string.Concat(Enumerable.Range(0, r.Next(2, 6)).Select(_ => $"<li>{Sentence(r, 4, 10)}</li>")) + "</ul>";
            else if (roll < 0.20)
                part = $"<blockquote><p>&#8220;{Sentence(r, 10, 25)}&#8221;</p></blockquote>";
            else if (roll < 0.24)
                part = $"<h2>{Sentence(r, 3, 7).TrimEnd('.', '?', '!')}</h2>";
            else
                part = $"<p>{string.Join(' ', Enumerable.Range(0, r.Next(2, 6)).Select(_ => Segment(r, host)))}</p>";
            parts.Add(part);
            size += part.Length + 1;
        }
        return string.Join('\n', parts);
    }

    private static string Segment(Random r, string host)
    {
        var s = Sentence(r);
        var x = r.NextDouble();
        if (x < 0.30)
            s = ReplaceFirst(s, " ", $" <a href=\"https://{host}/{Pick(r, Sections).ToLowerInvariant()}/{Slug(r, 4)}\">") + "</a>";
        else if (x < 0.40)
            s = $"<strong>{s}</strong>";
        else if (x < 0.48)
            s = $"<em>{s}</em>";
        if (r.NextDouble() < 0.45)
            s = ReplaceFirst(s, " ", $" {Pick(r, Entities)} ");
        return s;
    }

    private static string Sentence(Random r, int min = 8, int max = 22)
    {
        var words = Enumerable.Range(0, r.Next(min, max + 1)).Select(_ => Pick(r, Words)).ToArray();
        words[0] = char.ToUpperInvariant(words[0][0]) + words[0][1..];
        return string.Join(' ', words) + Pick(r, [".", ".", ".", "?", "!"]);
    }

    private static string Slug(Random r, int words) => string.Join('-', Enumerable.Range(0, words).Select(_ => Pick(r, Words)));

    private static T Pick<T>(Random r, T[] choices) => choices[r.Next(choices.Length)];

    private static string ReplaceFirst(string text, string what, string with)
    {
        var at = text.IndexOf(what, StringComparison.Ordinal);
        return at < 0 ? text : string.Concat(text.AsSpan(0, at), with, text.AsSpan(at + what.Length));
    }

    private static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);

    private static string Rfc822(DateTimeOffset time, (string Name, int Minutes) zone) =>
        (time.UtcDateTime + TimeSpan.FromMinutes(zone.Minutes)).ToString("ddd, dd MMM yyyy HH:mm:ss ", CultureInfo.InvariantCulture) + zone.Name;

    private static string Rfc3339(DateTimeOffset time, (string Name, int Minutes) zone) =>
        time.ToOffset(TimeSpan.FromMinutes(zone.Minutes)).ToString(zone.Minutes == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
}
