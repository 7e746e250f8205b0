using System.Globalization;
using System.Security;
using System.Text;
using Feeds.Core.Normalization;
using Feeds.Core.Parsing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Feeds.Tests.Normalization;

/// <summary>
/// The service reads a document keeping at most the item limit of entries (<see cref="FeedNormalizer.ParseAndIdentify(ReadOnlyMemory{byte}, string?, Uri?)"/>):
/// it must keep exactly what identifying the whole parsed document keeps, the same entries with the same keys in the same
/// order and the same count left out, for documents that repeat guids and links, date items alike or not at all, and
/// put items where the whole-document reading would order them differently from the document.
/// </summary>
public sealed class BoundedIdentificationTests
{
    private static readonly FeedNormalizer Normalizer = new(new HtmlCleaner(), new FakeTimeProvider(NormalizationInvariantTests.Now));

    private static readonly Uri?[] Origins = [new("https://feeds.example.org/news/rss.xml"), new("file:///srv/feeds/samples/feed.rss"), null];

    [Property(Arbitrary = [typeof(RepetitiveFeeds)], MaxTest = 400)]
    public void TheBoundedReadingKeepsWhatTheWholeReadingKeeps(RepetitiveFeed feed, PositiveInt limit)
    {
        foreach (var origin in Origins)
            AssertSameAsWhole(feed.Bytes, origin, 1 + limit.Get % 8);
    }

    [Property(Arbitrary = [typeof(FeedArbitraries)], MaxTest = 200)]
    public void AnyBytesGiveTheSameEntriesBoundedOrWhole(FeedBytes document)
    {
        try
        {
            FeedParser.Parse(document.Bytes);
        }
        catch (FeedParseException)
        {
            Assert.Throws<FeedParseException>(() => Normalizer.ParseAndIdentify(document.Bytes, null, Origins[0]));
            return;
        }
        foreach (var origin in Origins)
            AssertSameAsWhole(document.Bytes, origin, limit: 2);
    }

    [Fact]
    public void AHundredThousandItemsKeepTheNewestTenThousand()
    {
        var document = new StringBuilder("<rss version=\"2.0\"><channel><title>Many</title>");
        for (var i = 0; i < 100_000; i++)
            document.Append(CultureInfo.InvariantCulture, $"<item><title>Item {i}</title><guid>h/{i % 90_000}</guid><pubDate>{NormalizationInvariantTests.Now.AddMinutes(-(i * 7919 % 100_000)):R}</pubDate></item>");
        document.Append("</channel></rss>");
        AssertSameAsWhole(Encoding.UTF8.GetBytes(document.ToString()), Origins[0], FeedNormalizer.MaxItemsPerDocument);
    }

    [Fact]
    public void AChannelBaseWrittenAfterTheItemsIsUsedForThemAll()
    {
        const string document = """
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
              <item><title>A</title><link>a</link></item><item><title>B</title><link>b</link></item>
              <channel xml:base="https://other.example/"><title>T</title></channel>
            </rdf:RDF>
            """;
        AssertSameAsWhole(Encoding.UTF8.GetBytes(document), Origins[0], limit: 1);
        var (_, entries) = Normalizer.ParseAndIdentify(Encoding.UTF8.GetBytes(document), null, Origins[0]);
        Assert.Equal(["https://other.example/a", "https://other.example/b"], entries.Select(e => e.Link));
    }

    private static void AssertSameAsWhole(byte[] bytes, Uri? origin, int limit)
    {
        var whole = FeedParser.Parse(bytes);
        var expected = Normalizer.Identify(whole, origin, EntrySelection.Stored, limit);
        var (feed, bounded) = Normalizer.ParseAndIdentify(bytes, null, origin, limit);
        Assert.Equal(expected.LeftOut, bounded.LeftOut);
        Assert.Equal(Describe(expected), Describe(bounded));
        Assert.Equal(whole.Channel with { Authors = [] }, feed.Channel with { Authors = [] });
        Assert.Equal(whole.Channel.Authors, feed.Channel.Authors);
        Assert.Equal(whole.Format, feed.Format);
        Assert.Equal(bounded.Select(e => e.Entry), feed.Entries);
    }

    private static string[] Describe(IdentifiedEntries entries) =>
        entries.Select(e => $"{e.Key} {e.ContentHash} {e.Link} {e.Base} {e.Published:O} {e.Updated:O} {e.Entry.Title?.Value}").ToArray();
}

/// <summary>A feed document whose items reuse a few guids and links, and a few dates, in any of the XML formats.</summary>
public sealed record RepetitiveFeed(byte[] Bytes, string Text)
{
    public override string ToString() => Text;
}

public static class RepetitiveFeeds
{
    private static readonly string?[] Guids = [null, "g1", "g2", "g3", "https://example.com/g4"];
    private static readonly string?[] Links = [null, "https://example.com/1", "https://example.com/2", "/3", "4"];
    private static readonly string?[] Titles = [null, "A", "B", "A"];
    private static readonly DateTimeOffset?[] Dates =
    [
        null, NormalizationInvariantTests.Now.AddDays(-1), NormalizationInvariantTests.Now.AddDays(-2), NormalizationInvariantTests.Now.AddDays(-3),
        NormalizationInvariantTests.Now.AddDays(30), new DateTimeOffset(1900, 1, 1, 0, 0, 0, TimeSpan.Zero),
    ];

    private sealed record Item(string? Guid, string? Link, string? Title, DateTimeOffset? Published, DateTimeOffset? Updated, bool BesideChannel);

    private static readonly Gen<Item> AnyItem =
        from guid in Gen.Elements(Guids)
        from link in Gen.Elements(Links)
        from title in Gen.Elements(Titles)
        from published in Gen.Elements(Dates)
        from updated in Gen.Elements(Dates)
        from beside in Gen.Elements(false, false, true)
        select new Item(guid, link, title, published, updated, beside);

    public static Arbitrary<RepetitiveFeed> Feeds() =>
        (from format in Gen.Elements("rss", "rdf", "atom")
         from channelBase in Gen.Elements<string?>(null, "https://base.example/dir/")
         from items in Gen.Choose(0, 24).SelectMany(n => Gen.ArrayOf(AnyItem, n))
         select Write(format, channelBase, items)).ToArbitrary();

    private static RepetitiveFeed Write(string format, string? channelBase, Item[] items)
    {
        var text = new StringBuilder();
        var xmlBase = channelBase is null ? "" : $" xml:base=\"{channelBase}\"";
        switch (format)
        {
            case "atom":
                text.Append(CultureInfo.InvariantCulture, $"<feed xmlns=\"http://www.w3.org/2005/Atom\"{xmlBase}><title>T</title><link href=\"https://example.com/\"/>");
                foreach (var item in items)
                {
                    text.Append("<entry>");
                    Element(text, "id", item.Guid);
                    if (item.Link is not null)
                        text.Append(CultureInfo.InvariantCulture, $"<link href=\"{SecurityElement.Escape(item.Link)}\"/>");
                    Element(text, "title", item.Title);
                    Element(text, "published", item.Published?.ToString("O", CultureInfo.InvariantCulture));
                    Element(text, "updated", item.Updated?.ToString("O", CultureInfo.InvariantCulture));
                    text.Append("</entry>");
                }
                text.Append("</feed>");
                break;
            default:
                var rdf = format == "rdf";
                text.Append(rdf
                    ? "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\">"
                    : "<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">");
                var inside = items.Where(i => !i.BesideChannel).ToList();
                var beside = items.Where(i => i.BesideChannel).ToList();
                // Half the items beside the channel come before it: the whole reading lists them after those inside.
                foreach (var item in beside.Take(beside.Count / 2))
                    RssItem(text, item, rdf);
                text.Append(CultureInfo.InvariantCulture, $"<channel{xmlBase}><title>T</title>");
                foreach (var item in inside)
                    RssItem(text, item, rdf);
                text.Append("<link>https://example.com/</link></channel>");
                foreach (var item in beside.Skip(beside.Count / 2))
                    RssItem(text, item, rdf);
                text.Append(rdf ? "</rdf:RDF>" : "</rss>");
                break;
        }
        return new RepetitiveFeed(Encoding.UTF8.GetBytes(text.ToString()), text.ToString());
    }

    private static void RssItem(StringBuilder text, Item item, bool rdf)
    {
        text.Append("<item>");
        if (rdf)
            Element(text, "dc:identifier", null);
        Element(text, "guid", item.Guid);
        Element(text, "link", item.Link);
        Element(text, "title", item.Title);
        Element(text, "pubDate", item.Published?.ToString("R", CultureInfo.InvariantCulture));
        Element(text, "dc:date", item.Updated?.ToString("O", CultureInfo.InvariantCulture));
        text.Append("</item>");
    }

    private static void Element(StringBuilder text, string name, string? value)
    {
        if (value is not null)
            text.Append(CultureInfo.InvariantCulture, $"<{name}>{SecurityElement.Escape(value)}</{name}>");
    }
}
