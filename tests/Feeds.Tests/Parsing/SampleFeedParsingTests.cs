using System.Text;
using Feeds.Core.Parsing;
using Feeds.Tests.Support;

namespace Feeds.Tests.Parsing;

public sealed class SampleFeedParsingTests
{
    [Theory]
    [InlineData("world-wire.rss", FeedFormat.Rss20, 10)]
    [InlineData("techdesk.rss", FeedFormat.Rss20, 10)]
    [InlineData("meridian-politics.atom", FeedFormat.Atom10, 8)]
    [InlineData("capitol-briefing.atom", FeedFormat.Atom10, 7)]
    public void SampleFeedsParseWithEveryEntry(string file, FeedFormat format, int entries)
    {
        var feed = FeedParser.Parse(TestFiles.SampleBytes(file));

        Assert.Equal(format, feed.Format);
        Assert.Equal(entries, feed.Entries.Count);
        Assert.All(feed.Entries, e => Assert.False(string.IsNullOrWhiteSpace(e.Title?.Value)));
    }

    [Fact]
    public void RssExtensionsAreRead()
    {
        var feed = FeedParser.Parse(TestFiles.SampleBytes("world-wire.rss"));
        var first = feed.Entries[0];

        Assert.Equal(TextKind.Html, first.Content?.Kind);
        Assert.Contains("<h2>", first.Content!.Value);
        Assert.Contains(first.Authors, a => a.Name == "Tomás Reyes");
        Assert.NotEmpty(first.Images);
        Assert.Contains("Wildfires", first.Categories);
    }

    [Fact]
    public void OneBadDateLosesNeitherTheFeedNorTheItem()
    {
        var feed = FeedParser.Parse(Rss("<item><title>A</title><pubDate>the day before yesterday</pubDate></item><item><title>B</title><pubDate>Thu, 01 Jan 2004 19:48:21 GMT</pubDate></item>"));

        Assert.Equal(2, feed.Entries.Count);
        Assert.Null(feed.Entries[0].Published);
        Assert.Equal(new DateTimeOffset(2004, 1, 1, 19, 48, 21, TimeSpan.Zero), feed.Entries[1].Published);
    }

    [Fact]
    public void OneBadLinkLosesNeitherTheFeedNorTheItem()
    {
        var feed = FeedParser.Parse(Rss("<item><title>A</title><link>http://exa mple.com/[bad</link></item><item><title>B</title><link>https://example.com/b</link></item>"));

        Assert.Equal(2, feed.Entries.Count);
        Assert.Equal("https://example.com/b", feed.Entries[1].Link);
    }

    [Fact]
    public void HtmlEntitiesThatXmlDoesNotKnowAreRecovered()
    {
        var feed = FeedParser.Parse(Rss("<item><title>Caf&eacute; &amp; bar&nbsp;news</title></item>"));

        Assert.Equal("Café & bar\u00a0news", feed.Entries[0].Title!.Value);
    }

    [Fact]
    public void ExternalEntitiesAreNeverResolved()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("secret.txt"), "TOP-SECRET-CONTENT");
        var xml = $"""
            <?xml version="1.0"?>
            <!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{folder.File("secret.txt")}">]>
            <rss version="2.0"><channel><title>t</title><item><title>leak &xxe; here</title></item></channel></rss>
            """;

        ParsedFeed? feed = null;
        var error = Record.Exception(() => feed = FeedParser.Parse(Encoding.UTF8.GetBytes(xml)));

        Assert.True(error is FeedParseException || feed is not null);
        Assert.DoesNotContain("TOP-SECRET-CONTENT", feed?.Entries.FirstOrDefault()?.Title?.Value ?? "");
    }

    [Fact]
    public void AnHtmlPageIsNotAFeedAndSaysSo()
    {
        var error = Assert.Throws<FeedParseException>(() => FeedParser.Parse(Encoding.UTF8.GetBytes("<html><head><title>Home</title></head><body>hi</body></html>")));

        Assert.Contains("HTML", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void AnEmptyBodyIsNotAFeedAndSaysSo()
    {
        var error = Assert.Throws<FeedParseException>(() => FeedParser.Parse(Array.Empty<byte>()));

        Assert.Contains("empty", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    internal static byte[] Rss(string items) =>
        Encoding.UTF8.GetBytes($"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Test</title><link>https://example.com/</link><description>d</description>{items}</channel></rss>""");
}
