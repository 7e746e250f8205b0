using Feeds.Core.Normalization;

namespace Feeds.Tests.Normalization;

public class SafeTextTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a\u0000b\u0001c\u001Fd", "abcd")]
    [InlineData("tab\tnew\nline\rkept", "tab\tnew\nline\rkept")]
    [InlineData("del\u007F c1\u0085\u009F", "del c1")]
    [InlineData("pair \uD83D\uDCF0 kept", "pair \uD83D\uDCF0 kept")]
    [InlineData("non\uFFFEchar\uFFFF", "nonchar")]
    public void CleanKeepsOnlyCharactersXmlAllowsAndNoControls(string input, string expected)
    {
        Assert.Equal(expected, SafeText.Clean(input));
        Assert.True(SafeText.IsClean(SafeText.Clean(input)));
    }

    [Fact]
    public void ARefusedCharacterIsFoundWhereverItStandsInALongText()
    {
        // Printable ASCII is skipped a vector at a time: a refused character must be seen in any position of a vector.
        for (var position = 0; position < 70; position++)
        {
            var text = new string('a', 70).ToCharArray();
            text[position] = '\u0001';
            Assert.False(SafeText.IsClean(text), $"a control character at {position}");
            text[position] = '\u00E9';
            Assert.True(SafeText.IsClean(text), $"é at {position}");
        }
    }

    [Fact]
    public void LoneSurrogatesAreRemoved()
    {
        // In a Fact, not InlineData: theory data is serialized, which replaces a lone surrogate before the test sees it.
        Assert.Equal("lone  high and  low", SafeText.Clean("lone \uD800 high and \uDC00 low"));
        Assert.False(SafeText.IsClean("end \uD83D"));
        Assert.Equal("end ", SafeText.Clean("end \uD83D"));
    }

    [Fact]
    public void ALineIsFoldedTrimmedAndCutAtAWordWithAnEllipsis()
    {
        Assert.Equal("a b c", SafeText.Line("  a \n\t b\u0000   c  "));
        Assert.Null(SafeText.Line(" \u0001 \n"));
        var words = string.Join(' ', Enumerable.Repeat("word", 1000));
        var line = SafeText.Line(words, 100)!;
        Assert.True(line.Length <= 100);
        Assert.EndsWith("word…", line);
    }

    [Fact]
    public void TheShortestLineIsOneCharacterAndTheEllipsis()
    {
        Assert.Equal("a…", SafeText.Line("abc", 2));
        Assert.Equal("\uD83D\uDCF0", SafeText.Line("\uD83D\uDCF0", 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => SafeText.Line("abc", 1));
    }

    [Fact]
    public void ALineIsNeverCutInsideASurrogatePair()
    {
        var emoji = string.Concat(Enumerable.Repeat("\uD83D\uDCF0", 100));
        var line = SafeText.Line(emoji, 51)!;
        Assert.True(line.Length <= 51);
        Assert.True(SafeText.IsClean(line));
    }

    [Theory]
    [InlineData("https://example.com/a?b=1", "https://example.com/a?b=1")]
    [InlineData("HTTP://Example.com", "http://example.com/")]
    [InlineData("javascript:alert(1)", null)]
    [InlineData("mailto:a@example.com", null)]
    [InlineData("/relative/path", null)]
    [InlineData("https://exa\u0000mple.com/", null)]
    [InlineData("data:text/html,<script>", null)]
    public void OnlyAbsoluteHttpUrlsPass(string input, string? expected) => Assert.Equal(expected, SafeText.HttpUrl(input));

    /// <summary>Found by the normalization properties: Uri accepts these hosts, and then its IdnHost (story keys use it) throws.</summary>
    [Theory]
    [InlineData("http://ex\u0378ample.com/")]
    [InlineData("http://a\uFDD0b.example/")]
    public void AUrlWhoseHostHasNoIdnFormDoesNotPass(string input)
    {
        Assert.Null(SafeText.HttpUrl(input));
        Assert.Null(SafeText.PersonUrl(input));
    }

    [Theory]
    [InlineData("mailto:a@example.com", "mailto:a@example.com")]
    [InlineData("https://example.com/me", "https://example.com/me")]
    [InlineData("javascript:alert(1)", null)]
    [InlineData("file:///etc/passwd", null)]
    public void APersonsUrlMayAlsoBeMailto(string input, string? expected) => Assert.Equal(expected, SafeText.PersonUrl(input));
}
