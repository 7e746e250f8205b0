using Feeds.Core.Normalization;

namespace Feeds.Tests.Normalization;

public sealed class HtmlCleanerTests
{
    private readonly HtmlCleaner _cleaner = new();

    private static string Repeat(string markup, int times) => string.Concat(Enumerable.Repeat(markup, times));

    [Fact]
    public void AFragmentOpeningThousandsOfTagsIsReducedToItsText()
    {
        var clean = _cleaner.Clean(Repeat("<b>x", 3000), baseUri: null);

        Assert.DoesNotContain("<", clean.Html, StringComparison.Ordinal);
        Assert.StartsWith("x x x", clean.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<p>x</p>")] // closed again: never deep
    [InlineData("<br>x")] // void elements open nothing
    [InlineData("<IMG src=\"https://example.com/a.jpg\">")]
    [InlineData("<span/>x")] // "/>" opens nothing
    [InlineData("< b>x")] // not a tag
    public void ManyTagsThatDoNotNestStayMarkup(string markup)
    {
        var clean = _cleaner.Clean("<div>" + Repeat(markup, 3000) + "</div>", baseUri: null);

        Assert.Contains("<div>", clean.Html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("one two", "one two")]
    [InlineData("one\ntwo", "one two")] // a single white-space character that is not a space becomes one
    [InlineData("  one \t\r\n two\u00A0three\u2003 ", "one two three")]
    [InlineData(" \n\t ", "")]
    [InlineData("", "")]
    public void CollapseMakesEachRunOfWhiteSpaceOneSpaceAndTrims(string text, string expected) =>
        Assert.Equal(expected, HtmlCleaner.Collapse(text));
}
