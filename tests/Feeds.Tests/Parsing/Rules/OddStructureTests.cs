using static Feeds.Tests.Parsing.Rules.RuleDocuments;

namespace Feeds.Tests.Parsing.Rules;

/// <summary>Rules for structures feeds hold that their specifications do not foresee.</summary>
public sealed class OddStructureTests
{
    [Theory]
    // HTML (§13.2.5.53) reads "<!DOCTYPE" to its '>' as a doctype, which a fragment drops; with no '>' it would swallow
    // everything after it. A description is a fragment: only a whole declaration is one.
    [InlineData("&lt;!DOCTYPE is how a page starts", "<!DOCTYPE is how a page starts")]
    [InlineData("&lt;!doctype: a word &lt;b&gt;in bold&lt;/b&gt;", "<!doctype: a word in bold")]
    [InlineData("&lt;!' &lt;a href=\"http://example.com/\"&gt;link&lt;/a&gt;", "<!' link")]
    [InlineData("&lt;!DOCTYPE html&gt;&lt;p&gt;A page&lt;/p&gt;", "A page")]
    [InlineData("<![CDATA[<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0//EN\" \"x\"><p>Whole</p>]]>", "Whole")]
    public void ADescriptionThatStartsLikeADoctypeIsTextUnlessItIsOne(string description, string text) =>
        Assert.Equal(text, TextOf(ReadItem(RssItem($"<description>{description}</description>")).Summary));

    [Fact]
    public void ACategoryWithChildElementsIsItsText()
    {
        var item = ReadItem(RssItem("<category>News <span class=\"x\">and <em>more</em></span></category>"));
        Assert.Equal(["News and more"], item.Categories);
    }
}
