using System.ServiceModel.Syndication;
using System.Text;
using System.Text.Json;
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
    private static readonly XNamespace AtomNs = "http://www.w3.org/2005/Atom";

    private static StoredItem Item(long id, string? author = "Jane Doe", string sourceUrl = "https://wire.example.com/rss") => new()
    {
        Id = id,
        SourceId = "wire",
        ItemKey = "key" + id,
        Title = $"Headline {id} & more",
        Link = $"https://example.com/{id}",
        SummaryHtml = "<p>Summary</p>",
        SummaryText = "Summary",
        ContentHtml = "<p>Body</p>",
        Authors = author is null ? [] : [new Person(author, null, null)],
        Categories = ["World"],
        Enclosures = [new Enclosure("https://example.com/a.mp3", "audio/mpeg", 1234)],
        ImageUrl = "https://example.com/img.jpg",
        PublishedAt = new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero).AddHours(id),
        StoredPublishedMs = new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero).AddHours(id).ToUnixTimeMilliseconds(),
        UpdatedAt = new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero).AddHours(id),
        SourceTitle = "Harbor Wire",
        SourceLink = "https://wire.example.com/",
        SourceLanguage = "en-gb",
        SourceUrl = sourceUrl,
    };

    private static SectionPage Page(params StoredItem[] items) =>
        new(World, ItemCursor.Newest, items.Select(i => new SectionEntry(i, [])).ToList(), null, null);

    private static XDocument Xml(RenderedDocument feed) => XDocument.Parse(Encoding.UTF8.GetString(feed.Body));

    [Theory]
    [InlineData(OutputFormat.Rss)]
    [InlineData(OutputFormat.Atom)]
    [InlineData(OutputFormat.Json)]
    public void TheSameDataGivesTheSameBytesAndETags(OutputFormat format)
    {
        var a = SectionFeedWriter.Render(Page(Item(2), Item(1)), format, Links, hub: null);
        var b = SectionFeedWriter.Render(Page(Item(2), Item(1)), format, Links, hub: null);

        Assert.Equal(a.Body, b.Body);
        Assert.Equal(a.ETag, b.ETag);
        Assert.StartsWith("\"", a.ETag);
        Assert.NotEqual(a[ContentCoding.Gzip].ETag, a[ContentCoding.Identity].ETag);
    }

    [Theory]
    [InlineData(OutputFormat.Rss)]
    [InlineData(OutputFormat.Atom)]
    public void OutputReadsBackWithItsItemsInOrder(OutputFormat format)
    {
        var rendered = SectionFeedWriter.Render(Page(Item(2), Item(1)), format, Links, hub: null);

        using var reader = XmlReader.Create(new MemoryStream(rendered.Body));
        var feed = SyndicationFeed.Load(reader);

        Assert.Equal(["Headline 2 & more", "Headline 1 & more"], feed.Items.Select(i => i.Title.Text));
        Assert.All(feed.Items, i => Assert.False(string.IsNullOrEmpty(i.Id)));
        Assert.Equal("https://example.com/2", feed.Items.First().Links.First(l => l.RelationshipType is null or "alternate").Uri.AbsoluteUri);
        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?>", Encoding.UTF8.GetString(rendered.Body));
    }

    [Fact]
    public void RssCarriesSelfLinkContentBylineImageEnclosureSourceAndGmtDates()
    {
        var xml = Xml(SectionFeedWriter.Render(Page(Item(1)), OutputFormat.Rss, Links, hub: null));
        XNamespace dc = "http://purl.org/dc/elements/1.1/", content = "http://purl.org/rss/1.0/modules/content/", media = "http://search.yahoo.com/mrss/";
        var item = xml.Descendants("item").Single();

        Assert.Equal("http://127.0.0.1:5080/sections/world/rss", xml.Descendants(AtomNs + "link").Single(l => (string?)l.Attribute("rel") == "self").Attribute("href")!.Value);
        Assert.Equal("Jane Doe", item.Element(dc + "creator")?.Value);
        Assert.Equal("<p>Body</p>", item.Element(content + "encoded")?.Value);
        Assert.Equal("https://example.com/img.jpg", item.Element(media + "content")?.Attribute("url")?.Value);
        Assert.Equal("https://example.com/img.jpg", item.Element(media + "thumbnail")?.Attribute("url")?.Value);
        Assert.Equal("https://example.com/a.mp3", item.Element("enclosure")?.Attribute("url")?.Value);
        Assert.Equal("false", item.Element("guid")?.Attribute("isPermaLink")?.Value);
        Assert.Equal("https://wire.example.com/rss", item.Element("source")?.Attribute("url")?.Value);
        Assert.Equal("Harbor Wire", item.Element("source")?.Value);
        Assert.EndsWith("GMT", item.Element("pubDate")!.Value);
        Assert.Equal("en-gb", xml.Descendants("language").Single().Value);
    }

    [Fact]
    public void AtomCarriesSourceLanguageAndAuthors()
    {
        var xml = Xml(SectionFeedWriter.Render(Page(Item(1)), OutputFormat.Atom, Links, hub: null));
        var entry = xml.Descendants(AtomNs + "entry").Single();

        Assert.Equal("en-gb", entry.Attribute(XNamespace.Xml + "lang")?.Value);
        Assert.Equal("Harbor Wire", entry.Element(AtomNs + "source")?.Element(AtomNs + "title")?.Value);
        Assert.Equal("Jane Doe", entry.Element(AtomNs + "author")?.Element(AtomNs + "name")?.Value);
        Assert.Equal("http://127.0.0.1:5080/sections/world/atom", xml.Root!.Elements(AtomNs + "link").Single(l => (string?)l.Attribute("rel") == "self").Attribute("href")!.Value);
    }

    [Fact]
    public void PagesLinkToTheirNeighboursAsRfc5005PagedFeeds()
    {
        var middle = new SectionPage(World, new ItemCursor(5, 5, PageDirection.Older), [new SectionEntry(Item(3), [])],
            Older: new ItemCursor(3, 3, PageDirection.Older), Newer: new ItemCursor(4, 4, PageDirection.Newer));

        var atom = Xml(SectionFeedWriter.Render(middle, OutputFormat.Atom, Links, hub: null));
        var rels = atom.Root!.Elements(AtomNs + "link").ToDictionary(l => (string)l.Attribute("rel")!, l => (string)l.Attribute("href")!);
        using var json = JsonDocument.Parse(SectionFeedWriter.Render(middle, OutputFormat.Json, Links, hub: null).Body);

        Assert.Equal("http://127.0.0.1:5080/sections/world/atom?before=5.5", rels["self"]);
        Assert.Equal("http://127.0.0.1:5080/sections/world/atom", rels["first"]);
        Assert.Equal("http://127.0.0.1:5080/sections/world/atom?before=3.3", rels["next"]);
        Assert.Equal("http://127.0.0.1:5080/sections/world/atom?after=4.4", rels["previous"]);
        Assert.Equal("http://127.0.0.1:5080/sections/world/json?before=3.3", json.RootElement.GetProperty("next_url").GetString());
    }

    [Fact]
    public void JsonFeedFollowsVersion11()
    {
        using var json = JsonDocument.Parse(SectionFeedWriter.Render(Page(Item(1)), OutputFormat.Json, Links, new Uri("https://hub.example.com/")).Body);
        var root = json.RootElement;
        var item = root.GetProperty("items")[0];

        Assert.Equal("https://jsonfeed.org/version/1.1", root.GetProperty("version").GetString());
        Assert.Equal("http://127.0.0.1:5080/sections/world/json", root.GetProperty("feed_url").GetString());
        Assert.Equal("https://hub.example.com/", root.GetProperty("hubs")[0].GetProperty("url").GetString());
        Assert.Equal("https://example.com/1", item.GetProperty("url").GetString());
        Assert.Equal("Jane Doe", item.GetProperty("authors")[0].GetProperty("name").GetString());
        Assert.Equal("2026-11-20T11:00:00Z", item.GetProperty("date_published").GetString());
        Assert.Equal("audio/mpeg", item.GetProperty("attachments")[0].GetProperty("mime_type").GetString());
        Assert.Equal("World", item.GetProperty("tags")[0].GetString());
    }

    [Fact]
    public void TheSameStoryFromOtherSourcesIsListedAsAlsoReportedBy()
    {
        var other = Item(9) with { SourceId = "capitol", SourceTitle = "Capitol Briefing", Link = "https://capitol.example.com/9" };
        var page = new SectionPage(World, ItemCursor.Newest, [new SectionEntry(Item(1), [other])], null, null);

        var atom = Xml(SectionFeedWriter.Render(page, OutputFormat.Atom, Links, hub: null));
        var related = atom.Descendants(AtomNs + "link").Single(l => (string?)l.Attribute("rel") == "related");

        Assert.Equal("https://capitol.example.com/9", related.Attribute("href")!.Value);
        Assert.Contains("Also reported by", atom.Descendants(AtomNs + "content").Single().Value);
    }

    [Fact]
    public void RelatedArticlesAreAtomRelatedLinksAfterTheStorysOtherReportsAndAreListedInJson()
    {
        var other = Item(9) with { SourceId = "capitol", SourceTitle = "Capitol Briefing", Link = "https://capitol.example.com/9" };
        var related = Item(7) with { Title = "A related story", Link = "https://example.com/related" };
        var page = new SectionPage(World, ItemCursor.Newest, [new SectionEntry(Item(1), [other]) { Related = [related] }], null, null);

        var atom = Xml(SectionFeedWriter.Render(page, OutputFormat.Atom, Links, hub: null));
        using var json = JsonDocument.Parse(SectionFeedWriter.Render(page, OutputFormat.Json, Links, hub: null).Body);
        var links = atom.Descendants(AtomNs + "link").Where(l => (string?)l.Attribute("rel") == "related").ToList();
        var listed = json.RootElement.GetProperty("items")[0].GetProperty("_feeds").GetProperty("related");

        Assert.Equal(["https://capitol.example.com/9", "https://example.com/related"], links.Select(l => l.Attribute("href")!.Value));
        Assert.Equal("A related story", links[1].Attribute("title")!.Value);
        Assert.Equal("https://example.com/related", listed[0].GetProperty("url").GetString());
        Assert.Equal("A related story", listed[0].GetProperty("title").GetString());
    }

    [Fact]
    public void ASearchIsWrittenWithItsOwnLinksAndId()
    {
        Assert.True(SearchQuery.TryParse("Volcano  ASH", out var query, out _));
        var links = new SearchLinks(new Uri("http://127.0.0.1:5080/"), query);
        var page = new SectionPage(new Section("search:" + query.Canonical, "Search: volcano ash", ""), ItemCursor.Newest,
            [new SectionEntry(Item(2), []), new SectionEntry(Item(1), [])], ItemCursor.After(Item(1)), null);

        var atom = Xml(SectionFeedWriter.Render(page, OutputFormat.Atom, links, hub: null));
        var feedLinks = atom.Root!.Elements(AtomNs + "link").ToDictionary(l => (string)l.Attribute("rel")!, l => (string)l.Attribute("href")!);

        Assert.Equal("http://127.0.0.1:5080/search/atom?q=volcano%20ash", feedLinks["self"]);
        Assert.Equal($"http://127.0.0.1:5080/search/atom?q=volcano%20ash&before={ItemCursor.After(Item(1)).Token}", feedLinks["next"]);
        Assert.Equal("http://127.0.0.1:5080/search?q=volcano%20ash", feedLinks["alternate"]);
        Assert.NotEqual(Xml(SectionFeedWriter.Render(Page(Item(1)), OutputFormat.Atom, Links, hub: null)).Root!.Element(AtomNs + "id")!.Value,
            atom.Root!.Element(AtomNs + "id")!.Value);
    }

    [Theory]
    [InlineData(OutputFormat.Rss)]
    [InlineData(OutputFormat.Atom)]
    public void AHubIsAdvertisedInTheFeed(OutputFormat format)
    {
        var xml = Xml(SectionFeedWriter.Render(Page(Item(1)), format, Links, new Uri("https://hub.example.com/")));

        Assert.Contains(xml.Descendants(AtomNs + "link"), l => (string?)l.Attribute("rel") == "hub" && (string?)l.Attribute("href") == "https://hub.example.com/");
    }

    [Theory]
    [InlineData(OutputFormat.Rss)]
    [InlineData(OutputFormat.Atom)]
    public void AnItemWithoutAnAuthorHasNoEmptyAuthorElement(OutputFormat format)
    {
        var xml = Xml(SectionFeedWriter.Render(Page(Item(1, author: null)), format, Links, hub: null));
        var item = xml.Descendants().Single(e => e.Name.LocalName is "item" or "entry");

        Assert.DoesNotContain(item.Descendants(), e => e.Name.LocalName is "author" or "creator");
    }

    [Fact]
    public void ALocalFileSourceHasNoSourceElement()
    {
        var xml = Xml(SectionFeedWriter.Render(Page(Item(1, sourceUrl: "/srv/samples/wire.rss")), OutputFormat.Rss, Links, hub: null));

        Assert.Null(xml.Descendants("item").Single().Element("source"));
    }

    [Fact]
    public void AnEmptySectionStillRendersAValidFeed()
    {
        var rendered = SectionFeedWriter.Render(Page(), OutputFormat.Atom, Links, hub: null);

        using var reader = XmlReader.Create(new MemoryStream(rendered.Body));
        Assert.Empty(SyndicationFeed.Load(reader).Items);
    }

    // The store's guard makes such items impossible; these stand for a guard that missed something.
    // (Utf8JsonWriter escapes what XmlWriter refuses, so JSON has no such item.)
    [Theory]
    [InlineData(OutputFormat.Rss)]
    [InlineData(OutputFormat.Atom)]
    public void AnItemTheWriterRefusesIsLeftOutAndNamedAndTheRestIsServed(OutputFormat format)
    {
        // XmlWriter refuses U+0000 and a lone surrogate.
        var refused = Item(2) with { Title = "Nul \u0000 and lone \uD800 surrogate" };

        var rendered = SectionFeedWriter.Render(Page(Item(3), refused, Item(1)), format, Links, hub: null);

        var left = Assert.Single(rendered.LeftOut);
        Assert.Equal(("wire", "key2", 2L), (left.SourceId, left.ItemKey, left.ItemId));
        Assert.NotEmpty(left.Reason);
        var text = Encoding.UTF8.GetString(rendered.Body);
        Assert.Contains("Headline 3", text);
        Assert.Contains("Headline 1", text);
        Assert.DoesNotContain("Nul", text);
        StrictXml(rendered.Body);
    }

    [Fact]
    public void AFeedWithNothingRefusedNamesNothing()
    {
        Assert.Empty(SectionFeedWriter.Render(Page(Item(2), Item(1)), OutputFormat.Rss, Links, hub: null).LeftOut);
    }

    private static void StrictXml(byte[] body)
    {
        using var reader = XmlReader.Create(new MemoryStream(body), new XmlReaderSettings { CheckCharacters = true, DtdProcessing = DtdProcessing.Prohibit });
        while (reader.Read())
        {
        }
    }
}
