using static Feeds.Tests.Parsing.Rules.RuleDocuments;

namespace Feeds.Tests.Parsing.Rules;

/// <summary>
/// Rules for the iTunes podcast namespace (Apple's podcast RSS spec), Media RSS (https://www.rssboard.org/media-rss) and
/// Dublin Core as SCHEMA.md maps them: images, descriptions, categories; any prefix, any spelling of the namespace.
/// </summary>
public sealed class ModuleFieldTests
{
    private const string Itunes = "http://www.itunes.com/dtds/podcast-1.0.dtd";
    private const string Media = "http://search.yahoo.com/mrss/";

    [Theory]
    [InlineData("itunes", Itunes, "<itunes:image href=\"http://example.com/show.jpg\"/>")]
    [InlineData("it", "http://www.itunes.com/DTDs/PodCast-1.0.dtd", "<it:IMAGE HREF=\"http://example.com/show.jpg\"></it:IMAGE>")]
    [InlineData("itunes", Itunes, "<itunes:image url=\"http://example.com/show.jpg\"/>")]
    [InlineData("itunes", Itunes, "<itunes:link rel=\"image\" type=\"image/jpeg\" href=\"http://example.com/show.jpg\"/>")]
    public void TheItunesImageIsTheFeedsImageAndTheItemsImage(string prefix, string ns, string image)
    {
        var item = image.Replace("show", "episode", StringComparison.Ordinal);
        var feed = Read($"""
            <rss version="2.0" xmlns:{prefix}="{ns}"><channel><title>Show</title>{image}
            <item><title>Episode</title><enclosure url="http://example.com/e.mp3" type="audio/mpeg" length="1"/>{item}</item>
            <item><title>No image</title></item></channel></rss>
            """);

        Assert.Equal("http://example.com/show.jpg", feed.Image);
        Assert.Equal("http://example.com/episode.jpg", feed.Items[0].Image);
        Assert.Null(feed.Items[1].Image);
    }

    [Fact]
    public void TheRssImageOutranksTheItunesImageAndAThumbnailTheItemsItunesImage()
    {
        var feed = Read($"""
            <rss version="2.0" xmlns:itunes="{Itunes}" xmlns:media="{Media}"><channel><title>Show</title>
            <itunes:image href="http://example.com/itunes.jpg"/><image><url>http://example.com/rss.jpg</url></image>
            <item><title>E</title><itunes:image href="http://example.com/itunes-item.jpg"/><media:thumbnail url="http://example.com/thumb.jpg"/></item>
            </channel></rss>
            """);
        Assert.Equal(("http://example.com/rss.jpg", "http://example.com/thumb.jpg"), (feed.Image, feed.Items[0].Image));
    }

    [Fact]
    public void AnAtomFeedTakesItsItunesImagesToo()
    {
        var feed = Read($"""
            <feed xmlns="http://www.w3.org/2005/Atom" xmlns:itunes="{Itunes}"><title>Show</title><itunes:image href="http://example.com/show.jpg"/>
            <entry><title>E</title><itunes:image href="http://example.com/episode.jpg"/></entry></feed>
            """);
        Assert.Equal(("http://example.com/show.jpg", "http://example.com/episode.jpg"), (feed.Image, feed.Items[0].Image));
    }

    [Theory]
    [InlineData("<m:group><m:content url=\"http://example.com/v.mp4\" type=\"video/mp4\"/><m:description>Grouped</m:description><m:thumbnail url=\"http://example.com/g.jpg\"/></m:group>", "Grouped", "http://example.com/g.jpg")]
    [InlineData("<m:group><m:content url=\"http://example.com/v.mp4\"><m:description type=\"html\">&lt;b&gt;In&lt;/b&gt; content</m:description><m:thumbnail>http://example.com/c.jpg</m:thumbnail></m:content></m:group>", "In content", "http://example.com/c.jpg")]
    [InlineData("<m:thumbnail url=\"http://example.com/t.jpg\"/><m:description type=\"plain\">Top level</m:description>", "Top level", "http://example.com/t.jpg")]
    [InlineData("<m:content url=\"http://example.com/p.png\" medium=\"image\"/>", null, "http://example.com/p.png")]
    public void MediaDescriptionsAndThumbnailsAreFoundInGroupsAndContents(string media, string? summary, string image)
    {
        var item = ReadItem(RssItem(media, $"xmlns:m=\"{Media}\""));
        Assert.Equal(summary, TextOf(item.Summary));
        Assert.Equal(image, item.Image);
    }

    [Fact]
    public void AMediaDescriptionYieldsToTheItemsOwnDescription()
    {
        var item = ReadItem(RssItem("<media:group><media:description>From media</media:description></media:group><description>Own</description>", $"xmlns:media=\"{Media}\""));
        Assert.Equal("Own", TextOf(item.Summary));
    }

    [Theory]
    [InlineData("<category domain=\"http://example.com/tax\">Domain</category>", new[] { "Domain" })]
    [InlineData("<dc:subject>Subject</dc:subject><DC:SUBJECT xmlns:DC=\"http://purl.org/dc/elements/1.1/\">Loud</DC:SUBJECT>", new[] { "Subject", "Loud" })]
    [InlineData("<media:category scheme=\"urn:x\">Media</media:category><media:group><media:category>Grouped</media:category></media:group>", new[] { "Media", "Grouped" })]
    [InlineData("<media:keywords>one, two ,three</media:keywords><itunes:keywords>four,five</itunes:keywords>", new[] { "one", "two", "three", "four", "five" })]
    [InlineData("<itunes:category text=\"Arts\"><itunes:category text=\"Design\"><itunes:category text=\"Fonts\"/></itunes:category></itunes:category>", new[] { "Arts", "Design", "Fonts" })]
    [InlineData("<atom:category term=\"\" label=\"Labelled\"/><atom:category term=\"termed\" label=\"ignored\"/>", new[] { "Labelled", "termed" })]
    // Child elements are markup around the text; escaped markup in a plain-text category is literal text (SCHEMA.md).
    [InlineData("<category><b>Bold</b> words</category><category>&lt;i&gt;Escaped&lt;/i&gt;</category>", new[] { "Bold words", "<i>Escaped</i>" })]
    public void CategoriesComeFromEveryModuleAndAttribute(string itemXml, string[] categories)
    {
        const string declarations = $"""xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="{Media}" xmlns:itunes="{Itunes}" xmlns:atom="http://www.w3.org/2005/Atom" """;
        var item = ReadItem(RssItem(itemXml, declarations));
        Assert.Equal(categories.Order(), item.Categories.Order());
    }
}
