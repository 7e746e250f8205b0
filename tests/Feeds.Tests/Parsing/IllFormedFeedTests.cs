using System.Text;
using Feeds.Core.Normalization;
using Feeds.Core.Parsing;
using Xunit;

namespace Feeds.Tests.Parsing;

public class IllFormedFeedTests
{
    private static NormalizedFeed Normalize(string text) =>
        new FeedNormalizer(new HtmlCleaner(), TimeProvider.System).Normalize(FeedParser.Parse(Encoding.UTF8.GetBytes(text)), sourceUri: null);

    private static NormalizedItem OnlyItem(string itemXml) =>
        Assert.Single(Normalize($"<rss version=\"2.0\"><channel><title>T</title>{itemXml}</channel></rss>").Items);

    [Theory]
    [InlineData("<title>Caf&eacute; &ndash; bar&nbsp;</title>", "Café – bar")]
    [InlineData("<title>AT&T & friends</title>", "AT&T & friends")]
    [InlineData("<title>1 < 2 is true</title>", "1 < 2 is true")]
    [InlineData("<title>don&#146;t</title>", "don’t")]
    [InlineData("<title><![CDATA[Plain & <simple>]]></title>", "Plain &")] // "<simple>" is a tag to a reader that renders titles as HTML
    [InlineData("<title><![CDATA[Tom & Jerry <3]]></title>", "Tom & Jerry <3")]
    [InlineData("<TiTlE>Any case</TiTlE>", "Any case")]
    public void BrokenTextIsRecovered(string titleXml, string title)
    {
        Assert.Equal(title, OnlyItem($"<item>{titleXml}</item>").Title);
    }

    [Fact]
    public void RawHtmlAndMismatchedTagsInADescriptionStayInsideTheItem()
    {
        var feed = Normalize("""
            <rss version="2.0"><channel>
            <item><title>One</title><description><p>First <b><i>bold</b></i><img src="http://example.com/a.png"></p></description></item>
            <item><title>Two</title></item>
            </channel></rss>
            """);
        Assert.Equal(["One", "Two"], feed.Items.Select(i => i.Title));
        Assert.Contains("<img src=\"http://example.com/a.png\">", feed.Items[0].Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void ATruncatedDocumentKeepsTheItemsReadSoFar()
    {
        var feed = Normalize("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><item><title>One</title></item><item><title>Two</title><descr");
        Assert.Equal(["One", "Two"], feed.Items.Select(i => i.Title));
    }

    [Fact]
    public void JunkAroundTheRootAndBlankLinesBeforeTheDeclarationAreSkipped()
    {
        var feed = Normalize("\n\n  <?xml version=\"1.0\"?>garbage<rss version=\"2.0\"><channel><title>T</title></channel></rss><p>trailing junk</p>");
        Assert.Equal("T", feed.Title);
    }

    [Fact]
    public void UndeclaredPrefixesGetTheirConventionalNamespace()
    {
        var item = OnlyItem("<item><dc:creator>Jane</dc:creator><content:encoded>&lt;p&gt;Body&lt;/p&gt;</content:encoded></item>");
        Assert.Equal(("Jane", "<p>Body</p>"), (item.Byline, item.Content));
    }

    [Fact]
    public void ItemsStraightUnderRssWithoutAChannelAreRead()
    {
        var feed = Normalize("<rss version=\"2.0\"><title>No channel</title><item><title>Item</title></item></rss>");
        Assert.Equal("Item", Assert.Single(feed.Items).Title);
    }
}
