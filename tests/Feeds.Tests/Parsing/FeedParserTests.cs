using System.Text;
using Feeds.Core.Normalization;
using Feeds.Core.Parsing;
using Xunit;

namespace Feeds.Tests.Parsing;

public class FeedParserTests
{
    private static ParsedFeed Parse(string text) => FeedParser.Parse(Encoding.UTF8.GetBytes(text));

    private static NormalizedFeed Normalize(string text) => new FeedNormalizer(new HtmlCleaner(), TimeProvider.System).Normalize(Parse(text), sourceUri: null);

    [Theory]
    [InlineData("<rss version=\"2.0\"><channel><title>T</title></channel></rss>", FeedFormat.Rss20)]
    [InlineData("<rss version=\"0.91\"><channel><title>T</title></channel></rss>", FeedFormat.Rss09x)]
    [InlineData("<rss version=\"0.94\"><channel><title>T</title></channel></rss>", FeedFormat.Rss09x)]
    [InlineData("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\"><channel><title>T</title></channel></rdf:RDF>", FeedFormat.Rss10)]
    [InlineData("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://my.netscape.com/rdf/simple/0.9/\"><channel><title>T</title></channel></rdf:RDF>", FeedFormat.Rss09x)]
    [InlineData("<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title></feed>", FeedFormat.Atom10)]
    [InlineData("<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\"><title>T</title></feed>", FeedFormat.Atom03)]
    [InlineData("{\"version\": \"https://jsonfeed.org/version/1\", \"title\": \"T\", \"items\": []}", FeedFormat.Json)]
    [InlineData("{\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": \"T\", \"items\": []}", FeedFormat.Json)]
    public void TheFormatIsDetectedFromTheContent(string document, FeedFormat format)
    {
        var feed = Parse(document);
        Assert.Equal(format, feed.Format);
        Assert.Equal("T", feed.Channel.Title?.Value);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   \n ", "empty")]
    [InlineData("<!DOCTYPE html><html><body><p>Hi</p></body></html>", "HTML page")]
    [InlineData("{\"name\": \"x\"}", "not a JSON Feed")]
    [InlineData("{\"title\": \"T\", \"items\": [{\"id\": \"1\", \"title\": \"x\"}]}", "not a JSON Feed")] // feed-like keys, no version
    [InlineData("{\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": \"T\"}", "not a JSON Feed")] // no items array
    [InlineData("{\"version\": \"https://jsonfeed.org/version/1.1\", \"items\": {\"id\": \"1\"}}", "not a JSON Feed")]
    [InlineData("{\"version\": \"1.1\", \"items\": []}", "not a JSON Feed")]
    [InlineData("[{\"id\": \"1\", \"title\": \"x\"}]", "not a JSON Feed")]
    [InlineData("<config><value>1</value></config>", "<config>")]
    [InlineData("just some words", "no XML element")]
    public void ADocumentThatIsNotAFeedGetsAnErrorNamingWhatItIs(string document, string named)
    {
        var error = Assert.Throws<FeedParseException>(() => Parse(document));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rss10ItemsBesideTheChannelAreReadWithTheirRdfAboutAsId()
    {
        var feed = Normalize("""
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
              <channel rdf:about="http://example.com/"><title>News</title><link>http://example.com/</link><dc:language>en</dc:language></channel>
              <item rdf:about="http://example.com/1"><title>One</title><link>http://example.com/1</link><dc:date>2004-01-01T00:00:00Z</dc:date><dc:creator>Jane Doe</dc:creator></item>
            </rdf:RDF>
            """);
        var item = Assert.Single(feed.Items);
        Assert.Equal(("News", "en"), (feed.Title, feed.Language));
        Assert.Equal(("http://example.com/1", "One"), (item.Id, item.Title));
        Assert.Equal(new DateTimeOffset(2004, 1, 1, 0, 0, 0, TimeSpan.Zero), item.Updated);
        Assert.Equal("Jane Doe", item.Byline);
    }

    [Fact]
    public void Atom03ContentModesAreDecoded()
    {
        var feed = Normalize("""
            <feed version="0.3" xmlns="http://purl.org/atom/ns#">
              <tagline type="text/html" mode="escaped">&lt;b&gt;Bold&lt;/b&gt; news</tagline>
              <entry>
                <title type="text/html" mode="base64">PGI+SGk8L2I+</title>
                <issued>2004-01-01T00:00:00Z</issued>
                <author><name>Jane</name><url>http://example.com/jane</url></author>
                <content type="application/xhtml+xml" mode="xml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Body</p></div></content>
              </entry>
            </feed>
            """);
        var item = Assert.Single(feed.Items);
        Assert.Equal("<b>Bold</b> news", feed.Description);
        Assert.Equal("Hi", item.Title);
        Assert.Equal("<p>Body</p>", item.Content);
        Assert.Equal(new Person("Jane", null, "http://example.com/jane"), Assert.Single(item.Authors));
        Assert.Equal(new DateTimeOffset(2004, 1, 1, 0, 0, 0, TimeSpan.Zero), item.Published);
    }

    [Fact]
    public void AJsonFeedWithAnUnpairedSurrogateEscapeIsReadWithAReplacementCharacter()
    {
        var feed = FeedParser.Parse(Feeds.Tests.Support.HostileFeeds.JsonFeedWithLoneSurrogates());

        Assert.Equal("Lone \uFFFD surrogate", feed.Channel.Title!.Value);
        var item = Assert.Single(feed.Entries);
        Assert.Equal("Half \uFFFD pair \u0000 nul", item.Title!.Value);
        Assert.Equal("<p>x\uFFFD y\u0001</p>", item.Content!.Value);
        Assert.Equal("Bad \uFFFD name", item.Authors.Single().Name);
        // An escaped backslash before "u" is text, not an escape, and stays as written.
        var escaped = FeedParser.Parse(Encoding.UTF8.GetBytes("""{"version":"https://jsonfeed.org/version/1.1","title":"a\\ud800 \ud800","items":[]}"""));
        Assert.Equal("a\\ud800 \uFFFD", escaped.Channel.Title!.Value);
    }

    [Fact]
    public void JsonFeedMapsOntoTheCommonModel()
    {
        var feed = Normalize(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "Parsing", "json-feed.txt")));
        var item = Assert.Single(feed.Items);
        Assert.Equal(("JSON Example", "https://example.org/", "https://example.org/icon.png"), (feed.Title, feed.Link, feed.Image));
        Assert.Equal(("1", "First & foremost", "https://example.org/1"), (item.Id, item.Title, item.Link));
        Assert.Equal("<p>Hello world</p>", item.Content);
        Assert.Equal(["a", "b"], item.Categories);
        Assert.Equal(new Enclosure("https://example.org/a.mp3", "audio/mpeg", 123), Assert.Single(item.Enclosures));
        Assert.Equal(new Person("Jane", null, "https://example.org/jane"), Assert.Single(item.Authors));
    }

    [Fact]
    public void ModuleFieldsFillTheCommonModel()
    {
        var feed = Normalize("""
            <rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
                 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:atom="http://www.w3.org/2005/Atom">
              <channel>
                <title>Pod</title><itunes:image href="http://example.com/pod.png"/>
                <item>
                  <guid isPermaLink="false">x-1</guid>
                  <atom:link rel="alternate" href="http://example.com/1"/>
                  <author>jane@example.com (Jane Doe)</author>
                  <content:encoded><![CDATA[<p>Full</p>]]></content:encoded>
                  <dcterms:issued>2004-01-01T00:00:00Z</dcterms:issued>
                  <atom:updated>2004-01-02T00:00:00Z</atom:updated>
                  <media:group><media:content url="http://example.com/v.mp4"><media:thumbnail url="http://example.com/t.jpg"/></media:content></media:group>
                  <itunes:category text="Technology"><itunes:category text="Gadgets"/></itunes:category>
                  <enclosure url="http://example.com/a.mp3" type="audio/mpeg" length=" 42 "/>
                </item>
              </channel>
            </rss>
            """);
        var item = Assert.Single(feed.Items);
        Assert.Equal("http://example.com/pod.png", feed.Image);
        Assert.Equal(("x-1", "http://example.com/1"), (item.Id, item.Link));
        Assert.Equal(new Person("Jane Doe", "jane@example.com", null), Assert.Single(item.Authors));
        Assert.Equal(("<p>Full</p>", "<p>Full</p>"), (item.Content, item.Summary));
        Assert.Equal((2, 1), (item.Published!.Value.Day + 1, item.Published.Value.Month));
        Assert.Equal(2, item.Updated!.Value.Day);
        Assert.Equal("http://example.com/t.jpg", item.Image);
        Assert.Equal(["Technology", "Gadgets"], item.Categories);
        Assert.Equal(new Enclosure("http://example.com/a.mp3", "audio/mpeg", 42), Assert.Single(item.Enclosures));
    }

    [Fact]
    public void RelativeLinksResolveAgainstInheritedXmlBase()
    {
        var feed = Normalize("""
            <feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://example.com/parent/">
              <entry xml:base="entries/">
                <link href="one.html"/>
                <content type="xhtml" xml:base="http://example.com/test/"><div xmlns="http://www.w3.org/1999/xhtml"><a href="test.html">t</a></div></content>
              </entry>
            </feed>
            """);
        var item = Assert.Single(feed.Items);
        Assert.Equal("http://example.com/parent/entries/one.html", item.Link);
        Assert.Contains("href=\"http://example.com/test/test.html\"", item.Content, StringComparison.Ordinal);
    }

    [Fact]
    public void ARelativeLinkWithNoBaseStaysAsWritten()
    {
        var item = Assert.Single(Normalize("<feed xmlns=\"http://www.w3.org/2005/Atom\"><link href=\"http://example.com/\"/><entry><link href=\"/a/1\"/></entry></feed>").Items);
        Assert.Equal("/a/1", item.Link);
    }
}
