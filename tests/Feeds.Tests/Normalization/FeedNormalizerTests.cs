using Feeds.Core.Normalization;
using Feeds.Core.Parsing;
using Feeds.Tests.Parsing;
using Feeds.Tests.Support;

namespace Feeds.Tests.Normalization;

public sealed class FeedNormalizerTests
{
    private readonly FeedNormalizer _normalizer = new(new HtmlCleaner());

    /// <summary>A local sample file: relative links resolve against the channel link (https://example.com/).</summary>
    private static readonly Uri LocalFile = new("file:///srv/feeds/samples/feed.rss");

    private NormalizedFeed Normalize(string items, Uri? source = null) =>
        _normalizer.Normalize(FeedParser.Parse(SampleFeedParsingTests.Rss(items)), source ?? LocalFile);

    [Fact]
    public void ScriptEventHandlersAndJavascriptUrlsNeverSurvive()
    {
        var item = Normalize("""
            <item><title>x</title><description><![CDATA[<p onclick="steal()">Hi<script>alert(1)</script>
            <a href="javascript:alert(2)">deal</a><iframe src="https://evil.example/"></iframe><img src="x.jpg" onerror="alert(3)"></p>]]></description></item>
            """).Items[0];

        Assert.DoesNotContain("script", item.Summary, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("onclick", item.Summary, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("onerror", item.Summary, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("javascript:", item.Summary, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("iframe", item.Summary, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("deal", item.Summary);
    }

    [Fact]
    public void TheSampleWithHostileHtmlIsCleaned()
    {
        var feed = _normalizer.Normalize(FeedParser.Parse(TestFiles.SampleBytes("techdesk.rss")), LocalFile);
        var review = feed.Items.Single(i => i.Title!.StartsWith("Review: the Arden Fold 2", StringComparison.Ordinal));

        foreach (var html in new[] { review.Summary!, review.Content! })
        {
            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("onclick", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("javascript:", html, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void RelativeLinksResolveAgainstTheChannelLinkForLocalFilesAndTheFetchedUrlOtherwise()
    {
        const string item = """<item><title>x</title><link>/2026/11/story.html</link><description><![CDATA[<a href="more.html">more</a>]]></description></item>""";

        Assert.Equal("https://example.com/2026/11/story.html", Normalize(item).Items[0].Link);
        var fetched = Normalize(item, new Uri("https://feeds.example.org/news/rss.xml")).Items[0];
        var unknownOrigin = _normalizer.Normalize(FeedParser.Parse(SampleFeedParsingTests.Rss(item)), sourceUri: null).Items[0];
        Assert.Equal("https://feeds.example.org/2026/11/story.html", fetched.Link);
        Assert.Contains("href=\"https://feeds.example.org/news/more.html\"", fetched.Summary);
        Assert.Equal("/2026/11/story.html", unknownOrigin.Link); // feeds parse of bytes of unknown origin: as written (SCHEMA.md)
    }

    [Fact]
    public void OnlyHttpLinksSurvive() =>
        Assert.Null(Normalize("<item><title>x</title><link>javascript:alert(1)</link></item>").Items[0].Link);

    [Fact]
    public void IdentityFollowsGuidThenLinkThenText()
    {
        var first = Normalize("""
            <item><guid>a</guid><title>1</title><link>https://example.com/1</link></item>
            <item><title>2</title><link>https://example.com/2</link></item>
            <item><title>3</title><description>only text</description></item>
            """).Items;
        var reordered = Normalize("""
            <item><title>3</title><description>only text</description></item>
            <item><title>2 (edited headline)</title><link>https://example.com/2</link></item>
            <item><guid>a</guid><title>1 (edited)</title><link>https://example.com/1-moved</link></item>
            """).Items;

        Assert.Equal(first.Select(i => i.Key).Order(), reordered.Select(i => i.Key).Order());
        Assert.Equal(3, first.Select(i => i.Key).Distinct().Count());
    }

    [Fact]
    public void AGuidReusedForEveryItemStillGivesDistinctItems()
    {
        var items = Normalize("""
            <item><guid>same</guid><title>1</title><link>https://example.com/1</link></item>
            <item><guid>same</guid><title>2</title><link>https://example.com/2</link></item>
            """).Items;

        Assert.NotEqual(items[0].Key, items[1].Key);
    }

    [Fact]
    public void DuplicateHeadlinesAreKeptAsSeparateItems()
    {
        var feed = _normalizer.Normalize(FeedParser.Parse(TestFiles.SampleBytes("world-wire.rss")), LocalFile);
        var twins = feed.Items.Where(i => i.Title == "Ceasefire talks resume over disputed Halden Ridge").ToList();

        Assert.Equal(2, twins.Count);
        Assert.NotEqual(twins[0].Key, twins[1].Key);
    }

    [Fact]
    public void ContentHashChangesWithTheContentOnly()
    {
        var a = Normalize("<item><guid>g</guid><title>t</title><description>one</description></item>").Items[0];
        var b = Normalize("<item><guid>g</guid><title>t</title><description>one</description></item>").Items[0];
        var c = Normalize("<item><guid>g</guid><title>t</title><description>two</description></item>").Items[0];

        Assert.Equal(a.ContentHash, b.ContentHash);
        Assert.NotEqual(a.ContentHash, c.ContentHash);
        Assert.Equal(a.Key, c.Key);
    }

    [Theory]
    [InlineData("desk@news.example.com (Maria Lopez)", "Maria Lopez", "desk@news.example.com")]
    [InlineData("Maria Lopez <desk@news.example.com>", "Maria Lopez", "desk@news.example.com")]
    [InlineData("desk@news.example.com", null, "desk@news.example.com")]
    [InlineData("Maria Lopez", "Maria Lopez", null)]
    public void AuthorStringsAreSplitIntoNameAndEmail(string written, string? name, string? email)
    {
        var author = Assert.Single(Normalize($"<item><title>x</title><author>{System.Security.SecurityElement.Escape(written)}</author></item>").Items[0].Authors);

        Assert.Equal(name, author.Name);
        Assert.Equal(email, author.Email);
    }

    [Fact]
    public void AnItemWithoutAuthorHasNoByline() =>
        Assert.Null(Normalize("<item><title>x</title></item>").Items[0].Byline);

    [Fact]
    public void FeaturedImageFallsBackFromMediaToEnclosureToFirstImage()
    {
        var items = Normalize("""
            <item xmlns:media="http://search.yahoo.com/mrss/"><title>1</title><media:thumbnail url="https://img.example/t.jpg"/><enclosure url="https://img.example/e.jpg" type="image/jpeg" length="1"/></item>
            <item><title>2</title><enclosure url="https://img.example/e.jpg" type="image/jpeg" length="1"/><description><![CDATA[<img src="https://img.example/body.jpg">]]></description></item>
            <item><title>3</title><description><![CDATA[<p>text <img src="/body.jpg"></p>]]></description></item>
            <item><title>4</title><description>no image</description></item>
            """).Items;

        Assert.Equal(["https://img.example/t.jpg", "https://img.example/e.jpg", "https://example.com/body.jpg", null], items.Select(i => i.Image));
    }

    [Fact]
    public void SummaryFallsBackToContentAndReadingTimeCountsTheBody()
    {
        var body = string.Join(' ', Enumerable.Repeat("word", 1000));
        var item = Normalize($"""<item xmlns:content="http://purl.org/rss/1.0/modules/content/"><title>x</title><content:encoded><![CDATA[<p>{body}</p>]]></content:encoded></item>""").Items[0];

        Assert.Equal(item.Content, item.Summary);
        Assert.Equal(5, item.ReadingMinutes);
        Assert.True(item.SummaryText!.Length <= 281);
        Assert.EndsWith("…", item.SummaryText);
    }

    [Fact]
    public void TitlesArePlainText()
    {
        var items = Normalize("""
            <item><title>&lt;b&gt;Bold&lt;/b&gt; move</title></item>
            <item><title>History of the &lt;blink&gt; tag</title></item>
            """).Items;

        Assert.Equal("Bold move", items[0].Title);
        Assert.Equal("History of the <blink> tag", items[1].Title);
    }
}
