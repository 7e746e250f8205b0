using Feeds.Core.Normalization;

namespace Feeds.Tests.Normalization;

/// <summary>The rules of <see cref="StoryTerms"/> and <see cref="SameStory"/>: which words count, how much, and when two reports are one story.</summary>
public sealed class StoryTermsTests
{
    private static readonly DateTimeOffset Noon = new(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("floods", "flood")]
    [InlineData("flooded", "flood")]
    [InlineData("flooding", "flood")]
    [InlineData("cities", "city")]
    [InlineData("stopped", "stop")]
    [InlineData("planning", "plan")]
    [InlineData("falling", "fall")]
    [InlineData("crashes", "crash")]
    [InlineData("status", "status")]
    [InlineData("gas", "gas")]
    public void EndingsAreCutSoFormsOfAWordMeet(string word, string stem) => Assert.Equal(stem, StoryTerms.Stem(word));

    [Theory]
    [InlineData(44, true)]
    [InlineData(45, false)]
    public void OnlyTheLedesFirst45WordsAreRead(int wordsBefore, bool read)
    {
        var lede = string.Join(' ', Enumerable.Repeat("harbour", wordsBefore)) + " zanzibar ferry.";

        Assert.Equal(read, StoryTerms.Of(null, lede)!.Words.Contains("zanzibar"));
    }

    [Fact]
    public void StopWordsAndReportingBoilerplateAreDroppedAndFiguresAndNamesWeighMore()
    {
        var terms = StoryTerms.Of("Council approves budget", "The budget of $2.3 billion, which Mayor Dana Ortiz said adds 40 officers, passed 7-2 in 2026.")!;

        Assert.DoesNotContain("the", terms.Words);
        Assert.DoesNotContain("said", terms.Words);
        Assert.Equal(StoryTerms.NumberWeight, terms.Weights["2.3"]);
        Assert.Equal(StoryTerms.NameWeight, terms.Weights["ortiz"]);
        Assert.Equal(StoryTerms.NameWeight, terms.Weights["mayor"]);
        // A small count and a year are in reports of any event: they weigh as words.
        Assert.Equal(StoryTerms.WordWeight, terms.Weights["40"]);
        Assert.Equal(StoryTerms.WordWeight, terms.Weights["2026"]);
        // Only the lede tells names: the headline's title case does not make "Council" one.
        Assert.Equal(StoryTerms.WordWeight, terms.Weights["council"]);
    }

    [Fact]
    public void NumberWordsAccentsAndThousandsSeparatorsMeetTheirPlainForms()
    {
        var written = StoryTerms.Of("Seven hurt in Zürich as 1,200 flee", null)!;
        var plain = StoryTerms.Of("7 hurt in Zurich as 1200 flee", null)!;

        Assert.Equal(plain.Words.Order(), written.Words.Order());
    }

    [Fact]
    public void TheStoredFormReadsBackToTheSameTerms()
    {
        var terms = StoryTerms.Of("Magnitude 6.1 earthquake strikes off Hokkaido", "The Japan Meteorological Agency said no tsunami warning was issued.")!;

        var read = StoryTerms.Parse(terms.ToString())!;

        Assert.Equal(terms.Weights.OrderBy(w => w.Key), read.Weights.OrderBy(w => w.Key));
        Assert.Equal(1, read.SimilarityTo(terms), 6);
        Assert.Null(StoryTerms.Parse(""));
    }

    [Fact]
    public void TextWithoutAWordThatTellsAnythingHasNoTerms() => Assert.Null(StoryTerms.Of("The news: what they said today", ""));

    [Fact]
    public void OneSharedWordIsChanceNotAStory()
    {
        var fire = StoryTerms.Of("Fire in Leeds", null)!;
        var flood = StoryTerms.Of("Flood in Leeds", null)!;

        Assert.Equal(0, fire.SimilarityTo(flood));
    }

    private static StoryCandidate Report(long id, string source, DateTimeOffset at, string headline, string lede, long? story = null, string? link = null) =>
        new(id, story, source, at, StoryKeys.LinkKey(link), StoryKeys.HeadlineKey(headline), StoryTerms.Of(headline, lede));

    private static readonly (string Headline, string Lede) Quake =
        ("Magnitude 6.1 earthquake strikes off Hokkaido", "A magnitude 6.1 earthquake struck off Hokkaido on Monday, the Japan Meteorological Agency said.");

    private static readonly (string Headline, string Lede) Tremor =
        ("Strong quake shakes northern Japan", "Buildings swayed in Sapporo as a 6.1-magnitude tremor hit the seabed east of Hokkaido, Japan's weather agency said.");

    [Fact]
    public void AParaphraseFromAnotherSourceWithinTheWindowJoinsTheStory()
    {
        var placed = Report(1, "wire", Noon, Quake.Headline, Quake.Lede, story: 1);

        Assert.Equal(1, SameStory.StoryFor(Report(2, "desk", Noon.AddHours(1), Tremor.Headline, Tremor.Lede), [placed]));
    }

    [Fact]
    public void TheSameSourceOrAReportOutsideTheWindowStartsAStoryOfItsOwn()
    {
        var placed = Report(1, "wire", Noon, Quake.Headline, Quake.Lede, story: 1);

        Assert.Null(SameStory.StoryFor(Report(2, "wire", Noon.AddHours(1), Tremor.Headline, Tremor.Lede), [placed]));
        Assert.Null(SameStory.StoryFor(Report(3, "desk", Noon + SameStory.Window + TimeSpan.FromMinutes(1), Tremor.Headline, Tremor.Lede), [placed]));
    }

    [Fact]
    public void TheLongerAfterAReportAParaphraseComesTheMoreItMustShareWithIt()
    {
        var placed = Report(1, "wire", Noon, Quake.Headline, Quake.Lede, story: 1);
        var similarity = StoryTerms.Of(Quake.Headline, Quake.Lede)!.SimilarityTo(StoryTerms.Of(Tremor.Headline, Tremor.Lede)!);
        // When the fading likeness of the two falls below the threshold: within the window, so the fade decides.
        var fadedBelow = SameStory.FadeTime * Math.Log(similarity / SameStory.Threshold);
        Assert.InRange(fadedBelow, TimeSpan.FromHours(1), SameStory.Window - TimeSpan.FromHours(1));

        Assert.Equal(1, SameStory.StoryFor(Report(2, "desk", Noon + fadedBelow - TimeSpan.FromMinutes(5), Tremor.Headline, Tremor.Lede), [placed]));
        Assert.Null(SameStory.StoryFor(Report(3, "desk", Noon + fadedBelow + TimeSpan.FromMinutes(5), Tremor.Headline, Tremor.Lede), [placed]));
        Assert.Null(SameStory.StoryFor(Report(4, "desk", Noon - fadedBelow - TimeSpan.FromMinutes(5), Tremor.Headline, Tremor.Lede), [placed]));
    }

    [Fact]
    public void ACertainMatchWinsOverAMoreAlikeReportAndTheEarliestCertainMatchFirst()
    {
        var alike = Report(1, "wire", Noon, Quake.Headline, Quake.Lede, story: 1);
        var sameLinkLater = Report(3, "other", Noon.AddHours(2), "Unrelated words entirely here", "", story: 3, link: "https://news.example.com/quake");
        var sameLinkEarlier = Report(2, "other", Noon.AddDays(-3), "Other unrelated words here", "", story: 2, link: "https://www.news.example.com/quake/");

        var story = SameStory.StoryFor(Report(4, "desk", Noon.AddHours(1), Tremor.Headline, Tremor.Lede, link: "https://news.example.com/quake"),
            [alike, sameLinkLater, sameLinkEarlier]);

        Assert.Equal(2, story);
    }
}
