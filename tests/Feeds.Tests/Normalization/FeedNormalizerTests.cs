using System.Text;
using Feeds.Core.Normalization;
using Feeds.Core.Parsing;
using Feeds.Tests.Parsing;
using Feeds.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Feeds.Tests.Normalization;

public sealed class FeedNormalizerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private readonly FeedNormalizer _normalizer = new(new HtmlCleaner(), new FakeTimeProvider(Now));

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
    public void ANormalizedItemCarriesTheStoryKeysOfItsResolvedLinkAndCleanTitle()
    {
        var item = Normalize("""
            <item><title>&lt;b&gt;Harbour strike&lt;/b&gt; enters its third week</title>
            <link>/2026/11/strike/?utm_source=rss&amp;id=7#comments</link></item>
            """).Items[0];

        // The relative link is resolved against https://example.com/ before it is folded, the title's markup stripped.
        Assert.Equal("example.com/2026/11/strike?id=7", item.LinkKey);
        Assert.Equal("harbour strike enters its third week", item.HeadlineKey);
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
    public void ASummaryRepeatingTheContentIsSanitizedOnce()
    {
        const string body = "<p>Same <b>words</b> twice</p>";
        var item = Normalize($"""<item xmlns:content="http://purl.org/rss/1.0/modules/content/"><title>x</title><description><![CDATA[{body}]]></description><content:encoded><![CDATA[{body}]]></content:encoded></item>""").Items[0];

        Assert.Same(item.Content, item.Summary);
    }

    [Fact]
    public void ASummaryWithTheContentsCharactersButAnotherKindIsItsOwn()
    {
        var feed = FeedParser.Parse(Encoding.UTF8.GetBytes("""
            <feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:t</id><updated>2026-11-28T10:00:00Z</updated>
            <entry><id>urn:t:1</id><title>x</title><updated>2026-11-28T10:00:00Z</updated>
            <summary type="text">&lt;p&gt;Hi&lt;/p&gt;</summary><content type="html">&lt;p&gt;Hi&lt;/p&gt;</content></entry></feed>
            """));
        var item = _normalizer.Normalize(feed, LocalFile).Items[0];

        Assert.Equal("<p>Hi</p>", item.Content);
        Assert.Equal("&lt;p&gt;Hi&lt;/p&gt;", item.Summary);
    }

    [Theory]
    [InlineData(230, 1)]
    [InlineData(231, 2)]
    [InlineData(460, 2)]
    public void ReadingTimeIsAMinuteForEach230WordsBegun(int words, int minutes)
    {
        var body = string.Join(' ', Enumerable.Repeat("word", words));
        var item = Normalize($"""<item xmlns:content="http://purl.org/rss/1.0/modules/content/"><title>x</title><content:encoded><![CDATA[<p>{body}</p>]]></content:encoded></item>""").Items[0];

        Assert.Equal(minutes, item.ReadingMinutes);
    }

    [Fact]
    public void AControlCharacterDroppedFromTheBodyCountsAsNoWord()
    {
        // "&#1;" survives sanitizing as U+0001 between two spaces; dropping it leaves the two spaces side by side.
        var body = string.Join(' ', Enumerable.Repeat("word", 230)) + " &#1; ";
        var item = Normalize($"""<item xmlns:content="http://purl.org/rss/1.0/modules/content/"><title>x</title><content:encoded><![CDATA[<p>{body}</p>]]></content:encoded></item>""").Items[0];

        Assert.Equal(1, item.ReadingMinutes);
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
            <item><title>1 &lt; 2, &amp; 3 &gt; 2</title></item>
            """).Items;

        Assert.Equal("Bold move", items[0].Title);
        Assert.Equal("1 < 2, & 3 > 2", items[1].Title);
    }

    [Theory]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("1800-06-01T00:00:00Z")]
    [InlineData("1969-12-31T23:59:59Z")]
    [InlineData("3000-01-01T00:00:00Z")]
    [InlineData("9999-12-31T23:59:59Z")]
    [InlineData("2026-11-29T12:00:01Z")] // a second more than a day ahead
    public void ADateOutsideTheWindowIsNoDate(string written)
    {
        var item = Normalize($"<item><title>x</title><pubDate>{written}</pubDate></item>").Items[0];

        Assert.Null(item.Published);
        Assert.Null(item.Updated);
    }

    [Theory]
    [InlineData("1970-01-01T00:00:00Z")]
    [InlineData("2026-11-29T12:00:00Z")] // a day ahead: clocks and time zones that publishers get wrong
    public void ADateAtTheEdgeOfTheWindowIsKept(string written) =>
        Assert.Equal(DateTimeOffset.Parse(written, System.Globalization.CultureInfo.InvariantCulture),
            Normalize($"<item><title>x</title><pubDate>{written}</pubDate></item>").Items[0].Published);

    [Fact]
    public void OfTwoDatesTheImplausibleOneIsDroppedAndThePlausibleOneKept()
    {
        var item = Normalize("""
            <item xmlns:atom="http://www.w3.org/2005/Atom"><title>x</title><pubDate>9999-12-31T00:00:00Z</pubDate><atom:updated>2026-11-27T08:00:00Z</atom:updated></item>
            """).Items[0];

        Assert.Null(item.Published);
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero), item.Updated);
    }

    [Fact]
    public void TheChannelDateObeysTheSameWindow()
    {
        var feed = _normalizer.Normalize(FeedParser.Parse(Encoding.UTF8.GetBytes(
            "<rss version=\"2.0\"><channel><title>T</title><lastBuildDate>3000-01-01T00:00:00Z</lastBuildDate><pubDate>2026-11-01T00:00:00Z</pubDate></channel></rss>")), LocalFile);

        Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), feed.Updated);
    }

    /// <summary>
    /// Regression (issue 11): a feed with control characters written as references stored them, and U+FFFE made the
    /// story key's Unicode normalization throw on every poll. Every field, both origins.
    /// </summary>
    [Fact]
    public void ControlCharacterReferencesLeaveNoTraceInAnyField()
    {
        const string c = "&#1;&#x1B;&#x1F;&#x7F;&#xFFFE;&#xFFFF;";
        var document = Encoding.UTF8.GetBytes($"""
            <rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
            <channel><title>Ch{c}annel</title><link>https://example.com/{c}</link><language>en{c}</language><description>d{c}</description>
            <image><url>https://example.com/logo{c}.png</url></image>
            <item><title>Head{c}line for the day</title><link>https://example.com/a{c}</link><guid>g{c}1</guid>
            <description>x{c} &lt;b&gt;&amp;#1;&amp;#xFFFE;bold&lt;/b&gt;</description><content:encoded>&lt;p&gt;&amp;#2;p{c}&lt;/p&gt;</content:encoded>
            <author>a{c}@example.com (N{c}ame)</author><category>c{c}</category><media:thumbnail url="https://example.com/t{c}.jpg"/>
            <enclosure url="https://example.com/e{c}.mp3" type="audio/{c}mpeg" length="1"/></item></channel></rss>
            """);

        foreach (var source in new[] { LocalFile, null })
        {
            var feed = _normalizer.Normalize(FeedParser.Parse(document), source);
            var item = Assert.Single(feed.Items);
            Assert.All(NormalizationInvariants.TextOf(feed), text => Assert.True(NormalizationInvariants.IsXmlSafe(text), $"not XML-safe: {text}"));
            Assert.Equal("Headline for the day", item.Title);
            Assert.Equal("headline for the day", item.HeadlineKey);
        }
    }

    [Theory]
    [InlineData("&lt;script&gt;alert(1)&lt;/script&gt;Breaking", "Breaking")]
    [InlineData("&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;News", "News")]
    [InlineData("Look &lt;svg onload=alert(1)&gt; here", "Look here")]
    [InlineData("Pic &lt;img src=x onerror=alert(1)&gt;", "Pic")]
    [InlineData("&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt; escaped twice", "alert(1) escaped twice")] // markup that decoding reveals
    [InlineData("History of the &lt;blink&gt; tag", "History of the tag")]
    [InlineData("x &lt;&amp;#1;b onclick=alert(1)&gt;y", "x y")] // a control character between '<' and the tag name hides nothing
    [InlineData("1 &lt; 2 &amp;&amp; 3 &gt; 2 &lt;3", "1 < 2 && 3 > 2 <3")] // a '<' that opens nothing stays
    [InlineData("  Folded \n\t lines  ", "Folded lines")]
    public void TitlesCarryNoMarkupWhateverTheSourceDeclares(string written, string title)
    {
        Assert.Equal(title, Normalize($"<item><title>{written}</title></item>").Items[0].Title);
        var atom = _normalizer.Normalize(FeedParser.Parse(Encoding.UTF8.GetBytes(
            $"<feed xmlns=\"http://www.w3.org/2005/Atom\"><title type=\"text\">{written}</title><entry><title type=\"text\">{written}</title></entry></feed>")), LocalFile);
        Assert.Equal(title, atom.Title);
        Assert.Equal(title, atom.Items[0].Title);
    }

    [Fact]
    public void TheTeaserCarriesNoMarkupEither()
    {
        // The store titles an untitled item with its teaser.
        var item = Normalize("<item><description>&lt;p&gt;Use the &amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt; tag&lt;/p&gt;</description></item>").Items[0];

        Assert.Null(item.Title);
        Assert.Equal("Use the alert(1) tag", item.SummaryText);
    }

    [Theory]
    [InlineData("word ", 2048, true)]
    [InlineData("x", 2048, false)]
    public void AMegabyteTitleIsCutToTheLimit(string unit, int limit, bool atAWord)
    {
        var title = Normalize($"<item><title>{string.Concat(Enumerable.Repeat(unit, (1 << 20) / unit.Length))}</title></item>").Items[0].Title!;

        Assert.True(title.Length <= limit, $"{title.Length} characters");
        Assert.True(title.Length > limit - 100, $"{title.Length} characters");
        Assert.EndsWith(atAWord ? "word…" : "x…", title);
    }

    [Fact]
    public void OtherOneLineValuesAreBounded()
    {
        var longText = string.Join(' ', Enumerable.Repeat("long", 5000));
        var item = Normalize($"""
            <item><title>x</title><guid>{longText}</guid><author>{longText}</author><category>{longText}</category>
            <enclosure url="https://example.com/a.mp3" type="{longText}" length="-5"/></item>
            """).Items[0];

        foreach (var value in new[] { item.Id!, item.Authors[0].Name!, item.Categories[0], item.Enclosures[0].Type! })
        {
            Assert.True(value.Length <= SafeText.MaxLineLength, $"{value.Length} characters");
            Assert.EndsWith("…", value);
        }
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData(" JaVaScRiPt:alert(1)")]
    [InlineData("vbscript:msgbox(1)")]
    [InlineData("data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;")]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://example.com/a")]
    public void OnlyAbsoluteHttpUrlsAreStoredInAnyUrlField(string url)
    {
        var feed = _normalizer.Normalize(FeedParser.Parse(Encoding.UTF8.GetBytes($"""
            <feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
              <title>T</title><link href="{url}"/><logo>{url}</logo>
              <entry><id>1</id><title>x</title><link href="{url}"/><link rel="enclosure" href="{url}" type="image/png"/>
                <author><name>Jane</name><uri>{url}</uri></author><media:thumbnail url="{url}"/>
                <content type="html">&lt;img src="{url}"&gt;</content></entry>
            </feed>
            """)), new Uri("https://feeds.example.org/atom.xml"));
        var item = Assert.Single(feed.Items);

        Assert.Equal((null, null), (feed.Link, feed.Image));
        Assert.Equal((null, null), (item.Link, item.Image));
        Assert.Empty(item.Enclosures);
        Assert.Equal(new Person("Jane", null, null), Assert.Single(item.Authors));
    }

    [Fact]
    public void AnAuthorsAddressMayBeMailtoOrHttp()
    {
        var item = _normalizer.Normalize(FeedParser.Parse(Encoding.UTF8.GetBytes("""
            <feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id><title>x</title>
              <author><name>Jane</name><uri>mailto:jane@example.com</uri></author><author><name>John</name><uri>/people/john</uri></author></entry></feed>
            """)), new Uri("https://feeds.example.org/atom.xml")).Items[0];

        Assert.Equal(["mailto:jane@example.com", "https://feeds.example.org/people/john"], item.Authors.Select(a => a.Uri));
    }

    [Fact]
    public void ARelativeLinkNothingResolvesIsDroppedFromAStoredSourceButKeptByParse()
    {
        var document = FeedParser.Parse(Encoding.UTF8.GetBytes(
            "<rss version=\"2.0\"><channel><title>No link</title><item><title>x</title><link>/2026/11/story.html</link><enclosure url=\"a.mp3\" type=\"audio/mpeg\"/></item></channel></rss>"));

        var stored = _normalizer.Normalize(document, LocalFile).Items[0];
        var parsed = _normalizer.Normalize(document, sourceUri: null, EntrySelection.AsWritten).Items[0];

        Assert.Equal((null, 0), (stored.Link, stored.Enclosures.Count));
        Assert.Equal(("/2026/11/story.html", "a.mp3"), (parsed.Link, parsed.Enclosures[0].Url));
    }

    /// <summary>Regression (issue 11): six items sharing three guids (same guid and link, edited titles) and one other became 7 stored items.</summary>
    [Fact]
    public void ItemsSharingAGuidAndLinkCollapseIntoTheNewest()
    {
        const string items = """
            <item><guid>a</guid><link>https://example.com/a</link><title>A older</title><pubDate>2026-11-20T00:00:00Z</pubDate></item>
            <item><guid>a</guid><link>https://example.com/a</link><title>A newer</title><pubDate>2026-11-21T00:00:00Z</pubDate></item>
            <item><guid>b</guid><link>https://example.com/b</link><title>B first</title></item>
            <item><guid>b</guid><link>https://example.com/b</link><title>B second</title></item>
            <item><guid>c</guid><link>https://example.com/c</link><title>C dated</title><pubDate>2026-11-01T00:00:00Z</pubDate></item>
            <item><guid>c</guid><link>https://example.com/c</link><title>C undated</title></item>
            <item><guid>d</guid><link>https://example.com/d</link><title>D</title></item>
            """;

        var stored = Normalize(items).Items;
        var alone = Normalize("<item><guid>a</guid><link>https://example.com/a</link><title>A</title></item>").Items[0];

        Assert.Equal(["A newer", "B first", "C dated", "D"], stored.Select(i => i.Title)); // newest wins; among equals the first
        Assert.Equal(4, stored.Select(i => i.Key).Distinct().Count());
        Assert.Equal(alone.Key, stored.Single(i => i.Title == "A newer").Key); // listed twice or once, the same item
        Assert.Equal(7, _normalizer.Normalize(FeedParser.Parse(SampleFeedParsingTests.Rss(items)), sourceUri: null, EntrySelection.AsWritten).Items.Count);
    }

    [Fact]
    public void ItemsWithoutGuidSharingALinkCollapseButAGuidSharedByDifferentTextsWithoutLinksDoesNot()
    {
        var byLink = Normalize("""
            <item><link>https://example.com/live</link><title>Live: first</title></item>
            <item><link>https://example.com/live</link><title>Live: second</title></item>
            """).Items;
        var byText = Normalize("""
            <item><guid>same</guid><title>One</title></item>
            <item><guid>same</guid><title>Two</title></item>
            """).Items;

        Assert.Equal("Live: first", Assert.Single(byLink).Title);
        Assert.Equal(["One", "Two"], byText.Select(i => i.Title));
        Assert.NotEqual(byText[0].Key, byText[1].Key);
    }

    [Fact]
    public void OnlyTheNewestItemsOfAHugeDocumentAreKeptAndTheRestCounted()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var entries = Enumerable.Range(0, FeedNormalizer.MaxItemsPerDocument + 50)
            .Select(i => new ParsedEntry { Id = $"item-{i}", Title = new FeedText($"Item {i}", TextKind.Text), Published = i < 20 ? null : start.AddMinutes(i) })
            .Reverse().ToList(); // newest first, the undated ones last, as feeds write them
        var identified = _normalizer.Identify(new ParsedFeed(FeedFormat.Rss20, new ParsedChannel(), entries), LocalFile);

        Assert.Equal(FeedNormalizer.MaxItemsPerDocument, identified.Count);
        Assert.Equal(50, identified.LeftOut);
        Assert.Equal(entries.Take(FeedNormalizer.MaxItemsPerDocument).Select(e => e.Id), identified.Select(e => e.Entry.Id)); // the newest, in document order
        Assert.Equal(0, _normalizer.Identify(new ParsedFeed(FeedFormat.Rss20, new ParsedChannel(), entries.Take(100).ToList()), LocalFile).LeftOut);
    }
}
