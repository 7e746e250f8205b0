using System.Diagnostics;
using System.Text;
using Feeds.Core.Normalization;
using Feeds.Core.Parsing;
using Xunit;

namespace Feeds.Tests.Parsing;

public class HostileDocumentTests
{
    private static byte[] TestFile(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "TestData", "Parsing", name));

    private static NormalizedFeed Normalize(byte[] bytes) => new FeedNormalizer(new HtmlCleaner(), TimeProvider.System).Normalize(FeedParser.Parse(bytes), sourceUri: null);

    [Fact]
    public void ExternalEntitiesAreNeverResolved()
    {
        var feed = Normalize(TestFile("xxe.xml"));
        var everything = string.Join("\n", feed.Title, feed.Items[0].Title, feed.Items[0].Summary);
        Assert.DoesNotContain("root:", everything, StringComparison.Ordinal);
        Assert.Equal("Item", feed.Items[0].Title);
    }

    [Fact]
    public void ABillionLaughsEndsFastWithoutExpansion()
    {
        var clock = Stopwatch.StartNew();
        var feed = Normalize(TestFile("billion-laughs.xml"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
        Assert.DoesNotContain("lollol", feed.Items[0].Title ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public void QuadraticBlowupEndsWithAClearError()
    {
        var document = $"<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY a \"{new string('A', 50_000)}\">]><rss version=\"2.0\"><channel><title>{string.Concat(Enumerable.Repeat("&a;", 50_000))}</title></channel></rss>";
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<FeedParseException>(() => FeedParser.Parse(Encoding.UTF8.GetBytes(document)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
        Assert.Contains("entit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SmallInternalEntitiesStillExpand()
    {
        var feed = FeedParser.Parse(Encoding.UTF8.GetBytes("<!DOCTYPE rss [<!ENTITY id \"tag:example.com,\">]><rss version=\"2.0\"><channel><item><guid>&id;2006:/a</guid></item></channel></rss>"));
        Assert.Equal("tag:example.com,2006:/a", feed.Entries[0].Id);
    }

    [Fact]
    public void DeepNestingEndsWithAClearErrorNotAStackOverflow()
    {
        var document = "<rss version=\"2.0\"><channel><item><description>" + string.Concat(Enumerable.Repeat("<div>", 100_000)) + "</description></item></channel></rss>";
        var error = Assert.Throws<FeedParseException>(() => FeedParser.Parse(Encoding.UTF8.GetBytes(document)));
        Assert.Contains("nest", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DeeplyNestedHtmlInsideCdataIsReducedToTextQuickly()
    {
        var html = string.Concat(Enumerable.Repeat("<div>", 100_000)) + "x";
        var document = $"<rss version=\"2.0\"><channel><item><description><![CDATA[{html}]]></description></item></channel></rss>";
        var clock = Stopwatch.StartNew();
        var item = Assert.Single(Normalize(Encoding.UTF8.GetBytes(document)).Items);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
        Assert.Equal("x", item.Summary);
    }

    [Theory]
    [InlineData("safe<script>alert(1)</script> description", "safe description")]
    [InlineData("safe<iframe src=\"http://example.com/\"/> description", "safe description")]
    [InlineData("<a href=\"javascript:alert(1)\">safe</a> description", "safe description")]
    [InlineData("<img src=\"http://example.com/i.png\" onerror=\"alert(1)\"/>safe description", "safe description")]
    [InlineData("<p style=\"width: expression(alert(1))\">safe description</p>", "safe description")]
    [InlineData("safe<applet code=\"foo.class\"></applet> description", "safe description")]
    public void HtmlIsSanitizedAndKeepsItsReadableText(string html, string text)
    {
        var document = $"<rss version=\"2.0\"><channel><item><description><![CDATA[{html}]]></description></item></channel></rss>";
        var summary = Assert.Single(Normalize(Encoding.UTF8.GetBytes(document)).Items).Summary!;
        foreach (var banned in new[] { "<script", "<iframe", "<applet", "javascript:", "onerror", "expression(" })
            Assert.DoesNotContain(banned, summary, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(text, HtmlCleaner.ToPlainText(summary));
    }

    [Theory]
    [InlineData("<title>safe<script>alert(1)</script> description</title>", "safe description")]
    [InlineData("<title type=\"html\">sa&lt;!-- -- x &gt;fe&lt;script&gt;alert(1);&lt;/script&gt;</title>", "safe")]
    public void TitlesArePlainTextWithoutScriptText(string titleXml, string title)
    {
        var feed = Normalize(Encoding.UTF8.GetBytes($"<feed xmlns=\"http://www.w3.org/2005/Atom\">{titleXml}</feed>"));
        Assert.Equal(title, feed.Title);
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("data:text/html,hi")]
    [InlineData("file:///etc/passwd")]
    public void OnlyHttpUrlsSurviveInLinksAndImages(string url)
    {
        var document = $"<rss version=\"2.0\" xmlns:media=\"http://search.yahoo.com/mrss/\"><channel><link>{url}</link><item><link>{url}</link><media:thumbnail url=\"{url}\"/></item></channel></rss>";
        var feed = Normalize(Encoding.UTF8.GetBytes(document));
        Assert.Null(feed.Link);
        Assert.Null(feed.Items[0].Link);
        Assert.Null(feed.Items[0].Image);
    }
}
