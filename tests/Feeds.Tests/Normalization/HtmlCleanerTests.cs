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

    [Fact]
    public void PlainTextIsItsOwnSanitizedForm()
    {
        const string text = "Fish, chips\tand peas: £4.50 (\"fresh\") – 'today' 🐟";

        var clean = _cleaner.Clean(text, baseUri: null);

        Assert.Same(text, clean.Html);
        Assert.Equal("Fish, chips and peas: £4.50 (\"fresh\") – 'today' 🐟", clean.Text);
        Assert.Null(clean.FirstImage);
    }

    [Theory]
    [InlineData("fish & chips", "fish &amp; chips")]
    [InlineData("3 > 2", "3 &gt; 2")]
    [InlineData("2 < 3", "2 &lt; 3")]
    [InlineData("no\u00A0break", "no&nbsp;break")]
    [InlineData("one\r\ntwo\rthree", "one\ntwo\nthree")]
    [InlineData("nul\0gone", "nulgone")]
    public void TextThatHtmlReadsOrWritesDifferentlyIsWrittenAsHtmlWould(string text, string html) =>
        Assert.Equal(html, _cleaner.Clean(text, baseUri: null).Html);

    [Theory]
    [InlineData("one two", "one two")]
    [InlineData("one\ntwo", "one two")] // a single white-space character that is not a space becomes one
    [InlineData("  one \t\r\n two\u00A0three\u2003 ", "one two three")]
    [InlineData(" \n\t ", "")]
    [InlineData("", "")]
    public void CollapseMakesEachRunOfWhiteSpaceOneSpaceAndTrims(string text, string expected) =>
        Assert.Equal(expected, HtmlCleaner.Collapse(text));
}
