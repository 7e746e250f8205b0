using Feeds.Core.Parsing;
using static Feeds.Tests.Parsing.Rules.RuleDocuments;

namespace Feeds.Tests.Parsing.Rules;

/// <summary>
/// Rules of Atom 1.0 (RFC 4287) and the 0.3 draft (draft-ietf-atompub-format-03) that the readers apply beyond the
/// element names: entry documents, 0.3 person and date constructs, base64 content.
/// </summary>
public sealed class AtomConstructTests
{
    private const string Atom03 = "http://purl.org/atom/ns#";
    private const string Atom10 = "http://www.w3.org/2005/Atom";

    [Theory]
    [InlineData(Atom10, "", FeedFormat.Atom10)]
    [InlineData(Atom03, "", FeedFormat.Atom03)]
    [InlineData(Atom10, "a:", FeedFormat.Atom10)]
    public void AnAtomEntryDocumentIsAFeedOfThatOneEntry(string ns, string prefix, FeedFormat format)
    {
        var xmlns = prefix.Length == 0 ? $"xmlns=\"{ns}\"" : $"xmlns:{prefix.TrimEnd(':')}=\"{ns}\"";
        var feed = Read($"""
            <?xml version="1.0"?>
            <{prefix}entry {xmlns} xml:lang="fr">
              <{prefix}id>urn:uuid:1</{prefix}id><{prefix}title>Alone</{prefix}title>
              <{prefix}link rel="alternate" href="http://example.com/alone"/>
              <{prefix}summary>Just one</{prefix}summary>
            </{prefix}entry>
            """);

        Assert.Equal(format, feed.Format);
        Assert.Equal("fr", feed.Language);
        var item = Assert.Single(feed.Items);
        Assert.Equal(("urn:uuid:1", "Alone", "http://example.com/alone", "Just one"), (item.Id, item.Title, item.Link, TextOf(item.Summary)));
    }

    [Fact]
    public void AnEntryRootOutsideAtomIsNotAFeed()
    {
        var error = Assert.Throws<FeedParseException>(() => FeedParser.Parse("<entry><title>x</title></entry>"u8.ToArray()));
        Assert.Contains("<entry>", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("uri")]
    [InlineData("url")] // Atom 0.3
    [InlineData("homepage")] // the drafts before 0.3
    public void APersonsAddressIsItsUri(string element)
    {
        foreach (var ns in new[] { Atom03, Atom10 })
        {
            var item = ReadItem($"""<feed xmlns="{ns}"><entry><title>E</title><author><{element}>http://example.com/jane</{element}><name>Jane</name></author></entry></feed>""");
            Assert.Equal(("Jane", "http://example.com/jane"), (item.Authors[0].Name, item.Authors[0].Uri));
        }
    }

    [Theory]
    // issued is the publication, modified the update, created neither; where two spellings of one date are
    // written the later one restates it (RFC 4287's published/updated and 0.3's issued/modified alike).
    [InlineData("<created>2003-01-01T00:00:00Z</created><issued>2003-02-01T00:00:00Z</issued><modified>2003-03-01T00:00:00Z</modified>", "2003-02-01", "2003-03-01")]
    [InlineData("<modified>2003-03-01T00:00:00Z</modified><created>2003-01-01T00:00:00Z</created><issued>2003-02-01T00:00:00Z</issued>", "2003-02-01", "2003-03-01")]
    [InlineData("<created>2003-01-01T00:00:00Z</created>", null, null)]
    [InlineData("<created>2003-01-01T00:00:00Z</created><modified>2003-03-01T00:00:00Z</modified>", null, "2003-03-01")]
    [InlineData("<issued>2003-02-01T00:00:00Z</issued><published>2010-01-01T00:00:00Z</published>", "2010-01-01", null)]
    [InlineData("<published>2010-01-01T00:00:00Z</published><issued>2003-02-01T00:00:00Z</issued>", "2003-02-01", null)]
    [InlineData("<modified>2003-03-01T00:00:00Z</modified><updated>2010-01-01T00:00:00Z</updated>", null, "2010-01-01")]
    [InlineData("<issued>2003-02-01T00:00:00Z</issued><published>not a date</published>", "2003-02-01", null)]
    public void Atom03DatesMapToPublishedAndUpdated(string dates, string? published, string? updated)
    {
        var item = ReadItem($"""<feed version="0.3" xmlns="{Atom03}"><entry><title>E</title>{dates}</entry></feed>""");
        Assert.Equal(published, item.Published?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(updated, item.Updated?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
    }

    // "<p>Hello <b>world</b></p>" in base64.
    private const string HelloWorld = "PHA+SGVsbG8gPGI+d29ybGQ8L2I+PC9wPg==";

    [Theory]
    [InlineData(Atom03, "type=\"text/html\" mode=\"base64\"")]
    [InlineData(Atom03, "type=\"application/xhtml+xml\" mode=\"base64\"")]
    [InlineData(Atom03, "type=\"html\" mode=\"BASE64\"")]
    [InlineData(Atom10, "type=\"text/html\" mode=\"base64\"")]
    public void Base64WithAnHtmlTypeIsDecodedAndKeepsItsMarkup(string ns, string attributes)
    {
        // Base64 may be broken across lines (RFC 2045 §6.8).
        var item = ReadItem($"""<feed xmlns="{ns}"><entry><title>E</title><content {attributes}>{HelloWorld[..20]}{"\n  "}{HelloWorld[20..]}</content></entry></feed>""");
        Assert.Equal("<p>Hello <b>world</b></p>", item.Content);
        Assert.Equal("<p>Hello <b>world</b></p>", item.Summary);
    }

    [Fact]
    public void Base64WithATextTypeIsDecodedAndStaysText()
    {
        var item = ReadItem($"""<feed version="0.3" xmlns="{Atom03}"><entry><title>E</title><summary type="text/plain" mode="base64">{HelloWorld}</summary></entry></feed>""");
        Assert.Equal("&lt;p&gt;Hello &lt;b&gt;world&lt;/b&gt;&lt;/p&gt;", item.Summary);
    }

    [Fact]
    public void ANonTextMimeTypeInAtom10IsBase64()
    {
        var item = ReadItem($"""<feed xmlns="{Atom10}"><entry><title>E</title><content type="application/octet-stream">{HelloWorld}</content></entry></feed>""");
        Assert.Equal("Hello world", TextOf(item.Content));
    }
}
