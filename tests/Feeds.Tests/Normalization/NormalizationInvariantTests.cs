using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using Feeds.Core.Normalization;
using Feeds.Core.Parsing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;

namespace Feeds.Tests.Normalization;

/// <summary>
/// The edge's promise (issue 11), stated as properties: for any parsed feed, and for any bytes that parse, normalization
/// never throws and what it gives obeys every invariant later stages rely on (<see cref="NormalizationInvariants"/>).
/// </summary>
public sealed class NormalizationInvariantTests
{
    internal static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static readonly FeedNormalizer Normalizer = new(new HtmlCleaner(), new FakeTimeProvider(Now));

    /// <summary>The origins a document is normalized for: fetched over HTTP, a local file (the samples), and <c>feeds parse</c> of bare bytes.</summary>
    private static readonly Uri?[] Origins = [new("https://feeds.example.org/news/rss.xml"), new("file:///srv/feeds/samples/feed.rss"), null];

    [Property(Arbitrary = [typeof(FeedArbitraries)], MaxTest = 300)]
    public void AnyFeedNormalizesAndEveryInvariantHolds(ParsedFeed feed) => CheckEveryOrigin(feed);

    /// <summary>Values of up to a few megabytes in every kind of field: bounded on the way out, and no field costs more than its share.</summary>
    [Property(Arbitrary = [typeof(FeedArbitraries)], MaxTest = 12)]
    public void FeedsWithMegabyteValuesNormalizeAndEveryInvariantHolds(LargeFeed feed) => CheckEveryOrigin(feed.Feed);

    /// <summary>Bytes shaped like RSS, Atom, RDF and JSON Feed with hostile values, mangled or not: a FeedParseException or a clean feed, nothing else.</summary>
    [Property(Arbitrary = [typeof(FeedArbitraries)], MaxTest = 300)]
    public void AnyBytesEitherAreNotAFeedOrNormalizeCleanly(FeedBytes document)
    {
        ParsedFeed feed;
        try
        {
            feed = FeedParser.Parse(document.Bytes);
        }
        catch (FeedParseException)
        {
            return;
        }
        CheckEveryOrigin(feed);
    }

    /// <summary>
    /// The property above passes without checking anything for bytes that are not a feed, so its cases are only worth
    /// running if most of them are feeds: at least half of what its generator makes must parse.
    /// </summary>
    [Fact]
    public void MostGeneratedBytesAreFeedsSoTheBytesPropertyChecksNormalization()
    {
        // 300 documents (as many as the property's cases) at the largest size it draws, from a fixed seed: 204 of them parse.
        var documents = FeedArbitraries.Documents().Generator.Sample(300, new Rnd(20261128), 100);
        var feeds = documents.Count(document =>
        {
            try
            {
                FeedParser.Parse(document.Bytes);
                return true;
            }
            catch (FeedParseException)
            {
                return false;
            }
        });

        Xunit.Assert.True(feeds * 2 >= documents.Length, $"only {feeds} of {documents.Length} generated documents parse");
    }

    private static void CheckEveryOrigin(ParsedFeed feed)
    {
        foreach (var origin in Origins)
        {
            var identified = Normalizer.Identify(feed, origin);
            NormalizationInvariants.AssertOnePerIdentity(identified);
            var stored = Normalizer.Normalize(feed, origin);
            NormalizationInvariants.Assert(stored, Now, relativeUrlsAllowed: origin is null);
            Xunit.Assert.Equal(identified.Select(e => e.Key), stored.Items.Select(i => i.Key));
        }
        var parsed = Normalizer.Normalize(feed, sourceUri: null, EntrySelection.AsWritten);
        NormalizationInvariants.Assert(parsed, Now, relativeUrlsAllowed: true);
        Xunit.Assert.Equal(feed.Entries.Count, parsed.Items.Count);
    }
}

/// <summary>The invariants of normalized values, checked without trusting <see cref="SafeText"/>'s own code.</summary>
internal static partial class NormalizationInvariants
{
    /// <summary>XML 1.0 accepts every character (XmlConvert, not SafeText) and none is a control character other than tab, CR, LF.</summary>
    public static bool IsXmlSafe(string text)
    {
        try
        {
            XmlConvert.VerifyXmlChars(text);
        }
        catch (XmlException)
        {
            return false;
        }
        return !text.Any(c => char.IsControl(c) && c is not ('\t' or '\n' or '\r')) && !text.Contains('\uFFFE') && !text.Contains('\uFFFF');
    }

    /// <summary>Every text value of the feed and its items.</summary>
    public static IEnumerable<string> TextOf(NormalizedFeed feed)
    {
        IEnumerable<string?> values = [feed.Title, feed.Link, feed.Description, feed.Language, feed.Image];
        foreach (var item in feed.Items)
        {
            values = values.Concat([item.Key, item.ContentHash, item.Id, item.Title, item.Link, item.Summary, item.Content, item.SummaryText, item.Image, item.Byline]);
            values = values.Concat(item.Authors.SelectMany(a => new[] { a.Name, a.Email, a.Uri }));
            values = values.Concat(item.Categories).Concat(item.Enclosures.SelectMany(e => new[] { e.Url, e.Type }));
        }
        return values.OfType<string>();
    }

    public static void Assert(NormalizedFeed feed, DateTimeOffset now, bool relativeUrlsAllowed)
    {
        foreach (var text in TextOf(feed))
            True(IsXmlSafe(text), "a value holds a character XML 1.0 refuses or a control character", text);
        Title(feed.Title);
        Line(feed.Language, "language");
        Url(feed.Link, "feed link", relativeUrlsAllowed);
        Url(feed.Image, "feed image", relativeUrlsAllowed);
        Date(feed.Updated, now, "feed updated");
        foreach (var item in feed.Items)
        {
            Title(item.Title);
            Line(item.Id, "id");
            Url(item.Link, "link", relativeUrlsAllowed);
            Url(item.Image, "image", relativeUrlsAllowed);
            Date(item.Published, now, "published");
            Date(item.Updated, now, "updated");
            Line(item.SummaryText, "teaser", 280);
            Xunit.Assert.False(item.SummaryText is { } teaser && MarkupStart().IsMatch(teaser), $"a teaser holds markup: {item.SummaryText}");
            Xunit.Assert.True(item.Authors.Count <= FeedNormalizer.MaxValuesPerField && item.Categories.Count <= FeedNormalizer.MaxValuesPerField
                && item.Enclosures.Count <= FeedNormalizer.MaxValuesPerField, "too many authors, categories or enclosures");
            foreach (var person in item.Authors)
            {
                Line(person.Name, "author name");
                Line(person.Email, "author email");
                if (person.Uri is { } uri && !uri.StartsWith("mailto:", StringComparison.Ordinal))
                    Url(uri, "author uri", relativeUrlsAllowed);
            }
            foreach (var category in item.Categories)
                Line(category, "category");
            foreach (var enclosure in item.Enclosures)
            {
                Url(enclosure.Url, "enclosure", relativeUrlsAllowed);
                Line(enclosure.Type, "enclosure type");
                Xunit.Assert.True(enclosure.Length is null or >= 0, $"an enclosure length of {enclosure.Length}");
            }
        }
    }

    public static void AssertOnePerIdentity(IdentifiedEntries entries)
    {
        Xunit.Assert.True(entries.Count <= FeedNormalizer.MaxItemsPerDocument);
        Xunit.Assert.Equal(entries.Count, entries.Select(e => e.Key).Distinct(StringComparer.Ordinal).Count());
    }

    private static void Title(string? title)
    {
        if (title is null)
            return;
        Line(title, "title", SafeText.MaxTitleLength);
        Xunit.Assert.False(MarkupStart().IsMatch(title), $"a title holds markup: {Shorten(title)}");
    }

    /// <summary>One line: no line breaks or tabs, trimmed, not empty, bounded.</summary>
    private static void Line(string? value, string field, int maxLength = SafeText.MaxLineLength)
    {
        if (value is null)
            return;
        True(value.Length > 0 && value.Length <= maxLength, $"a {field} of {value.Length} characters", value);
        True(value.IndexOfAny(['\n', '\r', '\t']) < 0 && value.Trim() == value, $"a {field} that is not one trimmed line", value);
    }

    /// <summary>Absolute http(s) that System.Uri reads back whole (host included); or, from <c>feeds parse</c>, a relative reference with no scheme.</summary>
    private static void Url(string? url, string field, bool relativeUrlsAllowed)
    {
        if (url is null)
            return;
        True(url.Length <= SafeText.MaxUrlLength, $"a {field} of {url.Length} characters", url);
        if (Uri.TryCreate(url, UriKind.Absolute, out var absolute) && !url.StartsWith('/'))
        {
            True(absolute.Scheme is "http" or "https", $"a {field} that is not http(s)", url);
            _ = absolute.IdnHost; // later stages key stories by host
            return;
        }
        True(relativeUrlsAllowed, $"a relative {field} stored", url);
        True(!url.Split('/')[0].Contains(':', StringComparison.Ordinal), $"a relative {field} that looks like a scheme", url);
    }

    private static void Date(DateTimeOffset? date, DateTimeOffset now, string field) =>
        Xunit.Assert.True(date is null || (date >= DateTimeOffset.UnixEpoch && date <= now.AddDays(1)), $"{field} {date:O} is outside [1970, now + 1 day]");

    private static void True(bool condition, string problem, string value) => Xunit.Assert.True(condition, $"{problem}: {Shorten(value)}");

    private static string Shorten(string value) =>
        (value.Length > 300 ? value[..300] + $"… ({value.Length} characters)" : value).Replace("\n", "\\n", StringComparison.Ordinal);

    [GeneratedRegex(@"<[A-Za-z/!?]")]
    private static partial Regex MarkupStart();
}

/// <summary>A feed whose values run to megabytes.</summary>
public sealed record LargeFeed(ParsedFeed Feed)
{
    public override string ToString() => $"LargeFeed with {Feed.Entries.Count} entries";
}

/// <summary>Bytes of a document shaped like a feed.</summary>
public sealed record FeedBytes(byte[] Bytes)
{
    public override string ToString() => Encoding.UTF8.GetString(Bytes.Length > 2000 ? Bytes[..2000] : Bytes);
}

/// <summary>Generators of hostile feed values: any UTF-16 (controls, lone surrogates, U+FFFE), markup, entities, any URL text, any date.</summary>
public static class FeedArbitraries
{
    private static readonly string[] HostilePieces =
    [
        "<script>alert(1)</script>", "</title><script>alert(1)</script>", "<svg onload=alert(1)>", "<img src=x onerror=alert(1)>",
        "<a href=\"javascript:alert(1)\">x</a>", "<p>", "</p>", "<b>", "<div>", "<![CDATA[", "]]>", "<!--", "-->", "<!x", "<?x?>",
        "&lt;script&gt;", "&amp;lt;b&amp;gt;", "&#1;", "&#0;", "&#xD800;", "&#xFFFE;", "&#x85;", "&nbsp;", "&amp;", "&", "<", ">", "\"", "'",
        "\u0000", "\u0001", "\u0008", "\u001F", "\u007F", "\u0085", "\u009F", "\uD800", "\uDBFF", "\uDC00", "\uD83D\uDCF0", "\uFFFE", "\uFFFF",
        "\u00A0", "\u2028", "\u200B", "\r\n", "\t", "\n", " ", "  ", "é", "日本語", "javascript:", "mailto:", "http://", "https://example.com/", "/", "?", "#",
    ];

    private static readonly string[] Words = ["news", "Storm", "Minister", "2026", "a", "the", "über", "café", "x"];

    private static readonly string[] UrlSamples =
    [
        "https://example.com/a", "http://example.com/b?x=1&y=2#f", "HTTPS://EXAMPLE.COM/C", "javascript:alert(1)", " JaVaScRiPt:alert(1) ",
        "java\tscript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "mailto:jane@example.com", "file:///etc/passwd",
        "ftp://example.com/f", "/relative/path", "relative.html", "../up", "//cdn.example.com/x.png", "?q=1", "#frag", "", "   ", "http:", "https://",
        "http://[::1]/", "http://127.0.0.1:8080/x", "http://xn--/", "http://xn--ls8h.example/", "http://日本.example/パス", "http://ex ample.com/",
        "https://exa\u0000mple.com/", "https://example.com/\uD800", "http://example.com:99999/", "http://user:pass@example.com/",
        "https://example.com/" + new string('a', 9000), "tag:example.com,2026:1", "urn:uuid:1",
    ];

    private static readonly Gen<char> AnyChar = Gen.Choose(0, 0xFFFF).Select(i => (char)i);

    private static readonly Gen<string> Piece = Gen.Frequency(
        (4, Gen.Elements(HostilePieces)),
        (4, Gen.Elements(Words)),
        (2, Gen.Choose(1, 6).SelectMany(n => Gen.ArrayOf(AnyChar, n)).Select(chars => new string(chars))));

    private static readonly Gen<string> Text = Gen.Sized(size => Gen.Choose(0, size / 4 + 1).SelectMany(n => Gen.ArrayOf(Piece, n)).Select(string.Concat));

    private static readonly Gen<string?> OptionalText = Gen.Frequency((1, Gen.Constant<string?>(null)), (4, Text.Select(t => (string?)t)));

    /// <summary>A piece repeated to between 64 KiB and 3 MiB of characters.</summary>
    private static readonly Gen<string> LargeText =
        from piece in Piece
        from word in Gen.Elements(Words)
        from length in Gen.Choose(64 * 1024, 3 * 1024 * 1024)
        select Repeat(piece + " " + word + " ", length);

    private static readonly Gen<string?> AnyUrl = Gen.Frequency(
        (1, Gen.Constant<string?>(null)),
        (5, Gen.Elements(UrlSamples).Select(u => (string?)u)),
        (3, Gen.Elements(UrlSamples).SelectMany(prefix => Text.Select(t => (string?)(prefix + t)))),
        (1, Text.Select(t => (string?)t)));

    private static readonly Gen<Uri?> AnyBase = AnyUrl.Select(u => u is not null && Uri.TryCreate(u, UriKind.RelativeOrAbsolute, out var uri) ? uri : null);

    private static readonly Gen<DateTimeOffset?> AnyDate = Gen.Frequency(
        (2, Gen.Constant<DateTimeOffset?>(null)),
        (2, Gen.Elements<DateTimeOffset?>(
            DateTimeOffset.MinValue, DateTimeOffset.MaxValue, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddTicks(-1),
            NormalizationInvariantTests.Now, NormalizationInvariantTests.Now.AddDays(1), NormalizationInvariantTests.Now.AddDays(1).AddTicks(1),
            new DateTimeOffset(1800, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(3000, 1, 1, 0, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(1, 1, 1, 0, 0, 0, TimeSpan.FromHours(-14)), new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.FromHours(14)))),
        (3, from year in Gen.Choose(1, 9999)
            from minute in Gen.Choose(0, 365 * 24 * 60 - 1)
            select (DateTimeOffset?)new DateTimeOffset(year, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(minute)),
        (3, from hours in Gen.Choose(-24 * 400, 24 * 3)
            from offset in Gen.Choose(-14 * 4, 14 * 4)
            select (DateTimeOffset?)NormalizationInvariantTests.Now.AddHours(hours).ToOffset(TimeSpan.FromMinutes(15 * offset))));

    private static readonly Gen<FeedText?> AnyFeedText = Gen.Frequency(
        (1, Gen.Constant<FeedText?>(null)),
        (4, from value in Text
            from kind in Gen.Elements(TextKind.Text, TextKind.Html, TextKind.Xhtml)
            from baseUri in AnyBase
            select (FeedText?)new FeedText(value, kind) { BaseUri = baseUri }));

    private static readonly Gen<ParsedPerson> AnyPerson =
        from name in OptionalText
        from email in OptionalText
        from uri in AnyUrl
        select new ParsedPerson(name, email, uri);

    private static readonly Gen<ParsedEnclosure> AnyEnclosure =
        from url in AnyUrl
        from type in Gen.Frequency((2, Gen.Elements<string?>("image/png", "audio/mpeg", null)), (1, OptionalText))
        from length in Gen.Elements<long?>(null, -1, 0, 1234, long.MaxValue, long.MinValue)
        select new ParsedEnclosure(url ?? "", type, length);

    private static Gen<List<T>> Few<T>(Gen<T> gen, int most) => Gen.Choose(0, most).SelectMany(n => Gen.ListOf(gen, n)).Select(list => list.ToList());

    /// <summary>Ids and links drawn from small sets too, so entries share them and identities meet.</summary>
    private static readonly Gen<ParsedEntry> AnyEntry =
        from id in Gen.Frequency((3, Gen.Elements<string?>("a", "b", "c", null)), (1, OptionalText))
        from isPermaLink in Gen.Elements(true, false)
        from title in AnyFeedText
        from link in Gen.Frequency((3, Gen.Elements<string?>("https://example.com/1", "https://example.com/2", "/3", null)), (2, AnyUrl))
        from summary in AnyFeedText
        from content in AnyFeedText
        from authors in Few(AnyPerson, 3)
        from published in AnyDate
        from updated in AnyDate
        from categories in Few(Text, 4)
        from enclosures in Few(AnyEnclosure, 3)
        from images in Few(AnyUrl, 2)
        from baseUri in AnyBase
        select new ParsedEntry
        {
            Id = id, IdIsPermaLink = isPermaLink, Title = title, Link = link, Summary = summary, Content = content, Authors = authors,
            Published = published, Updated = updated, Categories = categories, Enclosures = enclosures, Images = images.OfType<string>().ToList(), BaseUri = baseUri,
        };

    private static readonly Gen<ParsedChannel> AnyChannel =
        from title in AnyFeedText
        from link in AnyUrl
        from description in AnyFeedText
        from language in Gen.Frequency((2, Gen.Elements<string?>("en", "en-US", null)), (1, OptionalText))
        from updated in AnyDate
        from published in AnyDate
        from image in AnyUrl
        from authors in Few(AnyPerson, 2)
        from baseUri in AnyBase
        select new ParsedChannel
        {
            Title = title, Link = link, Description = description, Language = language, Updated = updated, Published = published, Image = image,
            Authors = authors, BaseUri = baseUri,
        };

    private static readonly Gen<ParsedFeed> AnyFeed =
        from format in Gen.Elements(Enum.GetValues<FeedFormat>())
        from channel in AnyChannel
        from entries in Gen.Sized(size => Few(AnyEntry, Math.Min(size, 25)))
        select new ParsedFeed(format, channel, entries);

    public static Arbitrary<ParsedFeed> Feeds() => Arb.From(AnyFeed);

    /// <summary>One or two entries, each with one field of megabytes (which one varies), beside ordinary ones.</summary>
    public static Arbitrary<LargeFeed> LargeFeeds() => Arb.From(
        from entries in Gen.Choose(1, 2).SelectMany(n => Gen.ListOf(AnyEntry, n))
        from large in LargeText
        from field in Gen.Choose(0, 7)
        from channel in AnyChannel
        select new LargeFeed(new ParsedFeed(FeedFormat.Rss20, field == 7 ? channel with { Title = new FeedText(large, TextKind.Text) } : channel,
            entries.Select(entry => field switch
            {
                0 => entry with { Title = new FeedText(large, TextKind.Html) },
                1 => entry with { Title = new FeedText(large, TextKind.Text) },
                2 => entry with { Summary = new FeedText(large, TextKind.Html) },
                3 => entry with { Content = new FeedText(large, TextKind.Text) },
                4 => entry with { Authors = [new ParsedPerson(large, null, null), new ParsedPerson(null, large, large)] },
                5 => entry with { Categories = [large], Id = large },
                6 => entry with { Link = "https://example.com/" + large, Enclosures = [new ParsedEnclosure(large, large, 1)], Images = [large] },
                _ => entry,
            }).Append(new ParsedEntry { Id = "ordinary", Title = new FeedText("Ordinary", TextKind.Text) }).ToList())));

    /// <summary>Templates of every format with holes for hostile values; some documents are then cut short or have bytes flipped.</summary>
    private static readonly string[] Templates =
    [
        """<?xml version="1.0"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>{0}</title><link>{1}</link><language>{2}</language><lastBuildDate>{3}</lastBuildDate><item><title>{4}</title><link>{5}</link><guid isPermaLink="{6}">{7}</guid><pubDate>{8}</pubDate><description>{9}</description><author>{10}</author><dc:creator>{11}</dc:creator><category>{12}</category><enclosure url="{13}" type="{14}" length="{15}"/><media:thumbnail url="{16}"/></item><item><title>{17}</title><guid>{7}</guid><link>{5}</link></item></channel></rss>""",
        """<feed xmlns="http://www.w3.org/2005/Atom" xml:base="{0}" xml:lang="{1}"><title type="{2}">{3}</title><link href="{4}"/><logo>{5}</logo><updated>{6}</updated><entry xml:base="{7}"><id>{8}</id><title type="{9}">{10}</title><link rel="alternate" href="{11}"/><link rel="enclosure" href="{12}" type="{13}" length="{14}"/><published>{15}</published><updated>{16}</updated><author><name>{17}</name><email>{1}</email><uri>{2}</uri></author><category term="{3}"/><summary type="{9}">{4}</summary><content type="{2}">{5}</content></entry><entry><id>{8}</id><title>{6}</title></entry></feed>""",
        """<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel rdf:about="{0}"><title>{1}</title><link>{2}</link></channel><item rdf:about="{3}"><title>{4}</title><link>{5}</link><description>{6}</description><dc:date>{7}</dc:date><dc:creator>{8}</dc:creator><dc:subject>{9}</dc:subject></item></rdf:RDF>""",
        """{{"version": "https://jsonfeed.org/version/1.1", "title": "{0}", "home_page_url": "{1}", "icon": "{2}", "language": "{3}", "items": [{{"id": "{4}", "url": "{5}", "title": "{6}", "content_html": "{7}", "summary": "{8}", "date_published": "{9}", "date_modified": "{10}", "authors": [{{"name": "{11}", "url": "{12}"}}], "tags": ["{13}"], "image": "{14}", "attachments": [{{"url": "{15}", "mime_type": "{16}", "size_in_bytes": {17}}}]}}, {{"id": "{4}", "url": "{5}", "title": "x"}}]}}""",
        """<rss version="0.91"><channel><title>{0}</title><item><title>{1}</title><link>{2}</link><description>{3}</description></item></channel></rss>""",
    ];

    private static readonly string[] DocumentPieces =
    [
        "0001-01-01T00:00:00+05:00", "9999-12-31T24:00:00Z", "Mon, 01 Jan 0001 00:00:00 +1400", "1800-01-01", "3000-01-01T00:00:00Z", "0000-001",
        "Thu, 01 Jan 2004 19:48:21 GMT", "2026-11-27T10:00:00Z", "&#1;", "&#x1F;", "&#xD800;", "&#xFFFE;", "&#99999999;", "&#x110000;", "&bogus;", "&eacute;",
        "\\u0000", "\\uD800", "\\\"", "\"", "{", "]", "</item>", "<item>", "<![CDATA[<b>x</b>]]>", "text", "html", "xhtml", "base64", "-1", "99999999999999999999",
        "false", "true",
    ];

    private static readonly Gen<string> DocumentText = Gen.Frequency(
        (3, Text),
        (2, Gen.Elements(DocumentPieces)),
        (2, Gen.Elements(UrlSamples)));

    private static readonly Gen<FeedBytes> AnyFeedBytes =
        from template in Gen.Elements(Templates)
        from values in Gen.ArrayOf(DocumentText, 18)
        from encoding in Gen.Elements(Encoding.UTF8, Encoding.Unicode, Encoding.Latin1)
        from mangling in Gen.Choose(0, 5)
        from position in Gen.Choose(0, 1 << 20)
        from noise in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), 8)
        select new FeedBytes(Mangle(encoding.GetBytes(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, values)), mangling, position, noise));

    public static Arbitrary<FeedBytes> Documents() => Arb.From(Gen.Frequency(
        (9, AnyFeedBytes),
        (1, Gen.Sized(size => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), size * 4)).Select(bytes => new FeedBytes(bytes)))));

    /// <summary>0–2: as written; 3: cut short; 4: random bytes written over a stretch; 5: random bytes inserted.</summary>
    private static byte[] Mangle(byte[] bytes, int mangling, int position, byte[] noise)
    {
        var at = bytes.Length == 0 ? 0 : position % bytes.Length;
        return mangling switch
        {
            3 => bytes[..at],
            4 => [.. bytes[..at], .. noise, .. bytes[Math.Min(bytes.Length, at + noise.Length)..]],
            5 => [.. bytes[..at], .. noise, .. bytes[at..]],
            _ => bytes,
        };
    }

    private static string Repeat(string unit, int length)
    {
        var text = new StringBuilder(length + unit.Length);
        while (text.Length < length)
            text.Append(unit);
        return text.ToString();
    }
}
