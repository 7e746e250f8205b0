using System.Text;
using Feeds.Core.Parsing;
using Xunit;

namespace Feeds.Tests.Parsing;

/// <summary>
/// Items and entries are mapped as their element closes and taken out of the tree (issue 11): what is read must be what a
/// reading of the whole tree gives, wherever the items stand beside the channel's own elements and however the document ends.
/// </summary>
public class ItemsReadAsTheyCloseTests
{
    private static ParsedFeed Parse(string text) => FeedParser.Parse(Encoding.UTF8.GetBytes(text));

    private static string Titles(ParsedFeed feed) => string.Join(", ", feed.Entries.Select(e => e.Title?.Value));

    [Fact]
    public void ChannelElementsBetweenItemsAreStillRead()
    {
        var feed = Parse("""
            <rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>
              <item><title>One</title><link>/1</link></item>
              <title>News</title>
              <item><title>Two</title></item>
              <link>https://example.com/</link><description>All of it</description>
              <item><title>Three</title></item>
              <itunes:image href="https://example.com/cover.png"/><lastBuildDate>Sat, 01 Jan 2022 10:00:00 GMT</lastBuildDate>
            </channel></rss>
            """);
        Assert.Equal("One, Two, Three", Titles(feed));
        Assert.Equal(("News", "https://example.com/", "All of it", "https://example.com/cover.png"),
            (feed.Channel.Title?.Value, feed.Channel.Link, feed.Channel.Description?.Value, feed.Channel.Image));
        Assert.Equal(new DateTimeOffset(2022, 1, 1, 10, 0, 0, TimeSpan.Zero), feed.Channel.Updated);
    }

    [Fact]
    public void ATruncatedDocumentKeepsTheItemItEndsIn()
    {
        var feed = Parse("<rss version=\"2.0\"><channel><title>News</title><item><title>One</title></item><item><title>Tw");
        Assert.Equal("One, Tw", Titles(feed));
        Assert.Equal("News", feed.Channel.Title?.Value);

        var atom = Parse("<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>A</title><entry><id>1</id></entry><entry><id>2</id><title>Half");
        Assert.Equal(["1", "2"], atom.Entries.Select(e => e.Id));
        Assert.Equal("Half", atom.Entries[1].Title?.Value);
    }

    [Fact]
    public void AnItemClosedByAMismatchedEndTagIsRead()
    {
        var feed = Parse("<rss><channel><title>News</title><item><title>One</title><description>x<b>y</description></channel><title>Late</title></rss>");
        var item = Assert.Single(feed.Entries);
        Assert.Equal("One", item.Title?.Value);
        Assert.Equal("News", feed.Channel.Title?.Value);
    }

    [Fact]
    public void Rss10ItemsInsideTheChannelComeBeforeThoseBesideItWhereverThoseStand()
    {
        var feed = Parse("""
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xml:base="https://example.com/">
              <item rdf:about="a"><title>Before</title></item>
              <channel rdf:about="https://example.com/"><title>News</title><item><title>Inside</title></item></channel>
              <item rdf:about="c"><title>After</title></item>
            </rdf:RDF>
            """);
        Assert.Equal(FeedFormat.Rss10, feed.Format);
        Assert.Equal("Inside, Before, After", Titles(feed));
        Assert.Equal("News", feed.Channel.Title?.Value);
        Assert.Equal(new Uri("https://example.com/"), feed.Entries[1].BaseUri);
    }

    [Fact]
    public void ItemsOfASecondChannelOrInsideAnItemAreNotItems()
    {
        var feed = Parse("""
            <rss><channel><title>First</title><item><title>One</title><item><title>Nested</title></item></item></channel>
            <channel><title>Second</title><item><title>Other</title></item></channel></rss>
            """);
        Assert.Equal("One", Titles(feed));
        Assert.Equal("First", feed.Channel.Title?.Value);
    }

    [Fact]
    public void Rss090ItemsAloneStillMakeTheDocumentRss090()
    {
        var feed = Parse("""
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><channel><title>T</title></channel>
            <item xmlns="http://my.netscape.com/rdf/simple/0.9/"><title>x</title></item></rdf:RDF>
            """);
        Assert.Equal(FeedFormat.Rss09x, feed.Format);
        Assert.Equal("x", Titles(feed));
    }

    [Fact]
    public void AnEntryReadsTheBaseAndNamespacesOfItsAncestors()
    {
        var feed = Parse("""
            <feed xmlns="http://www.w3.org/2005/Atom" xmlns:d="http://purl.org/dc/elements/1.1/" xml:base="https://example.com/blog/" xml:lang="fr">
              <entry><id>1</id><link href="post"/><d:subject>tag</d:subject><content type="html">hi</content></entry>
            </feed>
            """);
        var entry = Assert.Single(feed.Entries);
        Assert.Equal(new Uri("https://example.com/blog/"), entry.BaseUri);
        Assert.Contains("tag", entry.Categories);
    }
}
