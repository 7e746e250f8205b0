using static Feeds.Tests.Parsing.Rules.RuleDocuments;

namespace Feeds.Tests.Parsing.Rules;

/// <summary>
/// Rule (SCHEMA.md, items; feedparser where SCHEMA.md is silent): the content is <c>content:encoded</c>, else an Atom
/// content, whatever the document order; the summary is the first summary element written (<c>description</c>,
/// <c>dc:description</c>, an Atom summary, <c>itunes:summary</c>), and a second one is the content when there is no
/// content element. A document with content and no summary gives the content as summary; one with a single summary and
/// no content gives no content.
/// </summary>
public sealed class SummaryAndContentPrecedenceTests
{
    // The candidates, content elements in their precedence order.
    private static readonly (string Element, bool IsSummary)[] Candidates =
    [
        ("description", true),
        ("atom:summary", true),
        ("itunes:summary", true),
        ("content:encoded", false),
        ("atom:content", false),
    ];

    private const string Declarations =
        """xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" """;

    /// <summary>Every non-empty subset of the candidates, written forwards and backwards.</summary>
    public static TheoryData<int, bool> Combinations()
    {
        var data = new TheoryData<int, bool>();
        for (var mask = 1; mask < 1 << Candidates.Length; mask++)
        {
            data.Add(mask, false);
            data.Add(mask, true);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public void ContentElementsWinByPrecedenceAndSummariesByTheOrderWritten(int mask, bool reversed)
    {
        var present = Candidates.Where((_, i) => (mask & (1 << i)) != 0).ToList();
        var written = reversed ? Enumerable.Reverse(present).ToList() : present;
        var item = ReadItem(RssItem(string.Concat(written.Select(c => $"<{c.Element}>&lt;p&gt;from {c.Element}&lt;/p&gt;</{c.Element}>")), Declarations));

        var summariesWritten = written.Where(c => c.IsSummary).Select(c => c.Element).ToList();
        var content = present.FirstOrDefault(c => !c.IsSummary).Element ?? summariesWritten.Skip(1).FirstOrDefault();
        var summary = summariesWritten.FirstOrDefault() ?? content;
        Assert.Equal(content is null ? null : $"from {content}", TextOf(item.Content));
        Assert.Equal($"from {summary}", TextOf(item.Summary));
    }

    [Theory]
    // Other prefixes, the default namespace on the element, upper-case names: the same elements.
    [InlineData("""<a:summary xmlns:a="http://www.w3.org/2005/Atom">S</a:summary><DESCRIPTION>D</DESCRIPTION><c:encoded xmlns:c="http://purl.org/rss/1.0/modules/content/">C</c:encoded>""", "S", "C")]
    [InlineData("""<content xmlns="http://www.w3.org/2005/Atom" type="html">&lt;b&gt;A&lt;/b&gt;</content><summary xmlns="http://www.w3.org/2005/Atom">S</summary>""", "S", "A")]
    // A summary or content in RSS's own namespace, copied from Atom, counts as Atom's.
    [InlineData("<content>C</content><summary>S</summary>", "S", "C")]
    [InlineData("<summary>S</summary>", "S", null)]
    [InlineData("<dc:description xmlns:dc=\"http://purl.org/dc/elements/1.1/\">DC</dc:description><summary>S</summary>", "DC", "S")]
    [InlineData("<description>D</description><summary>S</summary>", "D", "S")]
    [InlineData("<summary>S</summary><description>D</description>", "S", "D")]
    public void SpellingsOfTheSameElementsRankTheSame(string itemXml, string summary, string? content)
    {
        var item = ReadItem(RssItem(itemXml));
        Assert.Equal(summary, TextOf(item.Summary));
        Assert.Equal(content, TextOf(item.Content));
    }

    [Theory]
    [InlineData("<atom:summary>&lt;p&gt;Escaped &lt;b&gt;HTML&lt;/b&gt;&lt;/p&gt;</atom:summary>", "Escaped HTML")]
    [InlineData("<atom:summary>Fish &amp;amp; chips</atom:summary>", "Fish & chips")]
    // Text that merely mentions a tag, closing none, stays text (feedparser's looks_like_html).
    [InlineData("<atom:summary>History of the &lt;blink&gt; tag</atom:summary>", "History of the <blink> tag")]
    // An unknown element name is not HTML either.
    [InlineData("<atom:summary>&lt;foo&gt;x&lt;/foo&gt;</atom:summary>", "<foo>x</foo>")]
    public void AnAtomTextConstructInRssIsHtmlWhenItLooksLikeHtml(string itemXml, string text)
    {
        var item = ReadItem(RssItem(itemXml, """xmlns:atom="http://www.w3.org/2005/Atom" """));
        Assert.Equal(text, TextOf(item.Summary));
    }

    [Theory]
    [InlineData("<content>C</content><summary>S</summary>", "S", "C")]
    [InlineData("<summary>S</summary><content>C</content>", "S", "C")]
    [InlineData("<content>C</content>", "C", "C")]
    [InlineData("<summary>S</summary>", "S", null)]
    [InlineData("<summary>S</summary><itunes:summary xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\">I</itunes:summary>", "S", "I")]
    [InlineData("<content>C</content><summary>S</summary><itunes:summary xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\">I</itunes:summary>", "S", "C")]
    public void AtomEntriesFollowTheSameRule(string entryXml, string summary, string? content)
    {
        var item = ReadItem($"""<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title><entry><title>E</title>{entryXml}</entry></feed>""");
        Assert.Equal(summary, TextOf(item.Summary));
        Assert.Equal(content, TextOf(item.Content));
    }
}
