using Feeds.Core.Normalization;
using Feeds.Core.Storage;

namespace Feeds.Tests.Storage;

public sealed class StoredItemGuardTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("<b>Bold</b> move", "Bold move")]
    [InlineData("<script>alert(1)</script>Headline", "Headline")]
    [InlineData("</title><script>alert(1)</script>Headline", "Headline")]
    [InlineData("<svg onload=alert(1)>Headline</svg>", "Headline")]
    [InlineData("&lt;script&gt;alert(1)&lt;/script&gt;Headline", "Headline")]
    [InlineData("&amp;lt;b&amp;gt;Twice&amp;lt;/b&amp;gt; escaped", "Twice escaped")]
    [InlineData("AT&amp;T and Q&A", "AT&T and Q&A")]
    [InlineData("  folded \n\t whitespace  ", "folded whitespace")]
    [InlineData("2 < 3 and 5 > 4", "2 < 3 and 5 > 4")]
    public void TitlesArePlainText(string stored, string shown)
    {
        Assert.Equal(shown, StoredItemGuard.Title(stored, null, null));
    }

    [Fact]
    public void AHugeTitleIsCutToTheLimit()
    {
        var title = StoredItemGuard.Title("Huge " + new string('x', 1024 * 1024), null, null);

        Assert.Equal(SafeText.MaxTitleLength, title.Length);
        Assert.EndsWith("…", title);
    }

    [Fact]
    public void ATitleWithNothingReadableFallsBackToTheTeaserThenTheLinkThenUntitled()
    {
        Assert.Equal("The teaser", StoredItemGuard.Title("<script>x</script> \u0000", "The teaser", "https://example.com/a"));
        Assert.Equal("https://example.com/a", StoredItemGuard.Title("", null, "https://example.com/a"));
        Assert.Equal("Untitled", StoredItemGuard.Title(null, " ", null));
    }

    [Fact]
    public void ControlsAndLoneSurrogatesLeaveEveryLine()
    {
        var line = StoredItemGuard.PlainLine("Nul\u0000 bell\u0007 c1\u0085 lone \uD800 pair \uD83D\uDCF0", SafeText.MaxLineLength);

        Assert.Equal("Nul bell c1 lone pair \uD83D\uDCF0", line);
    }

    public static TheoryData<long, bool> Dates => new()
    {
        { new DateTimeOffset(1, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), false },
        { new DateTimeOffset(1800, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), false },
        { -1, false },
        { 0, true },
        { Now.ToUnixTimeMilliseconds(), true },
        { Now.AddDays(1).ToUnixTimeMilliseconds(), true },
        { Now.AddDays(1).ToUnixTimeMilliseconds() + 1, false },
        { new DateTimeOffset(3000, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), false },
        { DateTimeOffset.MaxValue.ToUnixTimeMilliseconds(), false },
        { long.MaxValue, false },
        { long.MinValue, false },
    };

    [Theory]
    [MemberData(nameof(Dates))]
    public void ADateOutsideTheWindowIsTheFirstSeenTimeMarkedEstimated(long publishedMs, bool kept)
    {
        var firstSeen = Now.AddHours(-3);

        var (time, estimated) = StoredItemGuard.Published(publishedMs, firstSeen.ToUnixTimeMilliseconds(), Now);

        Assert.Equal(!kept, estimated);
        Assert.Equal(kept ? DateTimeOffset.FromUnixTimeMilliseconds(publishedMs) : firstSeen, time);
    }

    [Theory]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    public void AFirstSeenTimeOutsideTheWindowIsMovedToItsNearestEnd(long firstSeenMs)
    {
        var (time, estimated) = StoredItemGuard.Published(long.MaxValue, firstSeenMs, Now);

        Assert.True(estimated);
        Assert.Equal(firstSeenMs < 0 ? DateTimeOffset.UnixEpoch : Now.AddDays(1), time);
    }

    [Fact]
    public void AuthorsKeepOnlyHttpOrMailtoAddressesAndPlainNames()
    {
        var authors = StoredItemGuard.Authors("""
            [{"Name":"<b>Jane</b> Doe","Email":"jane@example.com","Uri":"javascript:alert(1)"},
             {"name":"Eve","uri":"mailto:eve@example.com"},
             {"Name":"Mallory","Email":"javascript:x@y","Uri":"/relative"},
             null, 5, {"Name":"", "Uri":"data:text/html,x"}]
            """);

        Assert.Equal(
            [new Person("Jane Doe", "jane@example.com", null), new Person("Eve", null, "mailto:eve@example.com"), new Person("Mallory", null, null)],
            authors);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("[{\"Name\":")]
    [InlineData("{\"Name\":\"not a list\"}")]
    [InlineData("\"text\"")]
    [InlineData("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]")]
    public void AMalformedListColumnReadsAsEmpty(string? json)
    {
        Assert.Empty(StoredItemGuard.Authors(json));
        Assert.Empty(StoredItemGuard.Categories(json));
        Assert.Empty(StoredItemGuard.Enclosures(json));
    }

    [Fact]
    public void CategoriesArePlainDistinctAndBounded()
    {
        var many = "[" + string.Join(",", Enumerable.Range(0, 1000).Select(i => $"\"c{i}\"")) + "]";

        Assert.Equal(["World", "Politics"], StoredItemGuard.Categories("[\"World\", \"<i>World</i>\", 7, null, \" Politics\\u0000 \", \"\"]"));
        Assert.Equal(StoredItemGuard.MaxListEntries, StoredItemGuard.Categories(many).Count);
    }

    [Fact]
    public void EnclosuresNeedAnHttpUrlAndGetAValidTypeAndLength()
    {
        var enclosures = StoredItemGuard.Enclosures("""
            [{"Url":"javascript:alert(1)","Type":"audio/mpeg"},{"Url":"/a.mp3"},
             {"Url":"https://example.com/a.mp3","Type":"audio/mpeg","Length":12},
             {"Url":"https://example.com/b.mp3","Type":"audio/mpeg\"><script>","Length":-1}]
            """);

        Assert.Equal([new Enclosure("https://example.com/a.mp3", "audio/mpeg", 12), new Enclosure("https://example.com/b.mp3", null, null)], enclosures);
    }

    [Theory]
    [InlineData("en", "en")]
    [InlineData("en-GB", "en-GB")]
    [InlineData("zh-Hant-TW", "zh-Hant-TW")]
    [InlineData("en gb", null)]
    [InlineData("\"><script>", null)]
    [InlineData("", null)]
    public void ALanguageMustBeALanguageTag(string stored, string? shown)
    {
        Assert.Equal(shown, StoredItemGuard.Language(stored));
    }

    [Theory]
    [InlineData(long.MinValue, 0)]
    [InlineData(-5, 0)]
    [InlineData(7, 7)]
    [InlineData(long.MaxValue, 10_000)]
    public void ReadingMinutesAreBounded(long stored, int shown)
    {
        Assert.Equal(shown, StoredItemGuard.ReadingMinutes(stored));
    }
}
