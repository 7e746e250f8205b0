using System.ServiceModel.Syndication;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Feeds.Core.Normalization;
using Feeds.Core.Publishing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;

namespace Feeds.Tests.Publishing;

public sealed class SectionFeedWriterTests
{
    private static readonly Section World = new("world", "World", "World news");
    private static readonly SectionLinks Links = new(new Uri("http://127.0.0.1:5080/"), "world");

    private static StoredItem Item(long id, string? author = "Jane Doe") => new()
    {
        Id = id,
        SourceId = "wire",
        ItemKey = "key" + id,
        Title = $"Headline {id} & more",
        Link = $"https://example.com/{id}",
        SummaryHtml = "<p>Summary</p>",
        ContentHtml = "<p>Body</p>",
        Authors = author is null ? [] : [new Person(author, null, null)],
        Categories = ["World"],
        ImageUrl = "https://example.com/img.jpg",
        PublishedAt = new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero).AddHours(id),
        UpdatedAt = new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero).AddHours(id),
    };

    [Theory]
    [InlineData(OutputFormat.Rss)]
    [InlineData(OutputFormat.Atom)]
    public void TheSameDataGivesTheSameBytes(OutputFormat format)
    {
        var a = SectionFeedWriter.Render(World, [Item(2), Item(1)], format, Links);
        var b = SectionFeedWriter.Render(World, [Item(2), Item(1)], format, Links);

        Assert.Equal(a.Body, b.Body);
        Assert.Equal(a.ETag, b.ETag);
        Assert.StartsWith("\"", a.ETag);
    }

    [Theory]
    [InlineData(OutputFormat.Rss)]
    [InlineData(OutputFormat.Atom)]
    public void OutputReadsBackWithItsItemsInOrder(OutputFormat format)
    {
        var rendered = SectionFeedWriter.Render(World, [Item(2), Item(1)], format, Links);

        using var reader = XmlReader.Create(new MemoryStream(rendered.Body));
        var feed = SyndicationFeed.Load(reader);

        Assert.Equal(["Headline 2 & more", "Headline 1 & more"], feed.Items.Select(i => i.Title.Text));
        Assert.All(feed.Items, i => Assert.False(string.IsNullOrEmpty(i.Id)));
        Assert.Equal("https://example.com/2", feed.Items.First().Links.First(l => l.RelationshipType is null or "alternate").Uri.AbsoluteUri);
        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?>", Encoding.UTF8.GetString(rendered.Body));
    }

    [Fact]
    public void RssCarriesSelfLinkContentBylineImageAndGmtDates()
    {
        var xml = XDocument.Parse(Encoding.UTF8.GetString(SectionFeedWriter.Render(World, [Item(1)], OutputFormat.Rss, Links).Body));
        XNamespace atom = "http://www.w3.org/2005/Atom", dc = "http://purl.org/dc/elements/1.1/", content = "http://purl.org/rss/1.0/modules/content/", media = "http://search.yahoo.com/mrss/";
        var item = xml.Descendants("item").Single();

        Assert.Equal("http://127.0.0.1:5080/sections/world/rss", xml.Descendants(atom + "link").Single(l => (string?)l.Attribute("rel") == "self").Attribute("href")!.Value);
        Assert.Equal("Jane Doe", item.Element(dc + "creator")?.Value);
        Assert.Equal("<p>Body</p>", item.Element(content + "encoded")?.Value);
        Assert.Equal("https://example.com/img.jpg", item.Element(media + "content")?.Attribute("url")?.Value);
        Assert.Equal("false", item.Element("guid")?.Attribute("isPermaLink")?.Value);
        Assert.EndsWith("GMT", item.Element("pubDate")!.Value);
    }

    [Theory]
    [InlineData(OutputFormat.Rss)]
    [InlineData(OutputFormat.Atom)]
    public void AnItemWithoutAnAuthorHasNoEmptyAuthorElement(OutputFormat format)
    {
        var xml = XDocument.Parse(Encoding.UTF8.GetString(SectionFeedWriter.Render(World, [Item(1, author: null)], format, Links).Body));
        var item = xml.Descendants().Single(e => e.Name.LocalName is "item" or "entry");

        Assert.DoesNotContain(item.Descendants(), e => e.Name.LocalName is "author" or "creator");
    }

    [Fact]
    public void AnEmptySectionStillRendersAValidFeed()
    {
        var rendered = SectionFeedWriter.Render(World, [], OutputFormat.Atom, Links);

        using var reader = XmlReader.Create(new MemoryStream(rendered.Body));
        Assert.Empty(SyndicationFeed.Load(reader).Items);
    }
}
