using Feeds.Core.Normalization;

namespace Feeds.Tests.Normalization;

/// <summary>The rules of <see cref="StoryTerms"/> and <see cref="SameStory"/>: which words count, how much, and when two reports are one story.</summary>
public sealed class StoryTermsTests
{
    private static readonly DateTimeOffset Noon = new(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The term a word is read as, alone in a headline: its stem, or its group's (<see cref="StoryTerms"/>).</summary>
    private static string Term(string word) => Assert.Single(StoryTerms.Of(word, null)!.Words);

    [Theory]
    [InlineData("floods", "flooding")]
    [InlineData("flooded", "flood")]
    [InlineData("cities", "city")]
    [InlineData("stopped", "stop")]
    [InlineData("planning", "plan")]
    [InlineData("voted", "vote")]
    [InlineData("striking", "strike")]
    [InlineData("derailment", "derailed")]
    public void FormsOfAWordMeet(string word, string otherForm) => Assert.Equal(StoryTerms.Stem(otherForm), StoryTerms.Stem(word));

    [Theory]
    [InlineData("walkout", "strike")]
    [InlineData("blaze", "fire")]
    [InlineData("tremor", "earthquake")]
    [InlineData("axed", "cuts")]
    [InlineData("stole", "robbery")]
    [InlineData("jewellery", "jeweller")]
    [InlineData("hurt", "injured")]
    public void TheWordsNewsDesksUseForOneThingMeet(string word, string otherWord) => Assert.Equal(Term(otherWord), Term(word));

    [Fact]
    public void AWordOfAGroupMeetsItsGroupAsANameToo()
    {
        // "Birchwood House" names the home in one report; another's title-case headline gives "House" as a plain word.
        var wire = StoryTerms.Of("Care home owner jailed", "Graham Fell, who owned Birchwood House in Ambleford, was jailed on Monday.")!;
        var gazette = StoryTerms.Of("Judge Condemns Cruelty At Birchwood House", "A judge said the owner had put money before the residents.")!;

        Assert.Equal(StoryTerms.NameWeight, wire.Weights[Term("house")]);
        Assert.Equal(StoryTerms.WordWeight, gazette.Weights[Term("house")]);
        Assert.Equal(Term("home"), Term("house"));
    }

    [Theory]
    [InlineData("£2.5m", "2,500,000 pounds")]
    [InlineData("2.5 million pounds", "£2,500,000")]
    [InlineData("£250k", "250,000 pounds")]
    [InlineData("12.4 mln stg", "£12.4m")]
    [InlineData("$1.9bn", "1.9 billion dollars")]
    [InlineData("18%", "18 per cent")]
    [InlineData("18 pct", "18 percent")]
    public void AFigureReadsTheSameHoweverItsScaleAndUnitAreWritten(string figure, string otherForm)
    {
        var terms = StoryTerms.Of("Vandor Mining fined " + figure, null)!;
        var other = StoryTerms.Of("Vandor Mining fined " + otherForm, null)!;

        Assert.Equal(other.Words.Order(), terms.Words.Order());
    }

    [Theory]
    [InlineData("MINE HORROR: Three killed as tunnel caves in", "horror")]
    [InlineData("KA-BOOM! Space dream goes up in smoke", "boom")]
    [InlineData("DORRAN THE DESTROYER! Rovers snatch final spot", "destroyer")]
    public void ATabloidsShoutedSplashIsWordsNotAcronyms(string headline, string word) =>
        Assert.Equal(StoryTerms.WordWeight, StoryTerms.Of(headline, null)!.Weights[StoryTerms.Stem(word)]);

    [Theory]
    [InlineData("BMA walkout hits hospital appointments", "bma")]
    [InlineData("US FDA clears migraine drug", "fda")]
    [InlineData("NATO allies agree defence pledge", "nato")]
    [InlineData("A&E to close overnight at Brannoc hospital", "a&e")]
    public void AWordInCapitalsOnItsOwnOrAmongShortOnesIsAnAcronym(string headline, string acronym) =>
        Assert.Equal(StoryTerms.NameWeight, StoryTerms.Of(headline, null)!.Weights[acronym]);

    [Fact]
    public void ACapitalizedWordThatIsNoCommonWordIsANameWhereverItStands()
    {
        var councilVote = StoryTerms.Of("Kellsby Council Approves Bus Route Cuts",
            "Kellsby councillors voted 7-4 on Thursday to scrap 12 bus routes. Police were called when protesters blocked the doors.")!;

        // Starting a sentence and in a title-case headline, where capitals tell nothing: no common word, so a name.
        Assert.Equal(StoryTerms.NameWeight, councilVote.Weights[StoryTerms.Stem("kellsby")]);
        // Common words there stay words; Thursday is the calendar's.
        Assert.Equal(StoryTerms.WordWeight, councilVote.Weights[Term("council")]);
        Assert.Equal(StoryTerms.WordWeight, councilVote.Weights[Term("police")]);
        Assert.Equal(StoryTerms.WordWeight, councilVote.Weights[Term("thursday")]);
        // So another report naming the town away from a sentence's start shares a name with it.
        var busCuts = StoryTerms.Of("Council axes 12 bus routes", "Passengers in Kellsby face longer journeys after councillors backed the cuts.")!;
        Assert.True(councilVote.CompareWith(busCuts).SharesNameOrFigure);
    }

    [Fact]
    public void AClauseThatDatesTheReportAgainstAnotherEventIsNotRead()
    {
        var terms = StoryTerms.Of("Storm Dalia hits Tarrow hours after Ansel struck Brevik",
            "Storm Dalia made landfall near Tarrow on Friday evening, a day after Storm Ansel killed two in Brevik, with gusts of 150 km/h.")!;

        Assert.Contains("dalia", terms.Words);
        Assert.Contains("tarrow", terms.Words);
        Assert.Contains("150", terms.Words);
        Assert.DoesNotContain("ansel", terms.Words);
        Assert.DoesNotContain("brevik", terms.Words);
        // A text that is nothing but such a clause is read whole rather than not at all.
        Assert.Contains("brevik", StoryTerms.Of("Hours after Brevik storm", null)!.Words);
    }

    [Fact]
    public void AClauseDatingTheReportAgainstAnotherEventEndsAtItsClausesEndNotInsideAFigure()
    {
        var terms = StoryTerms.Of("Vandor MP suspended", "Parliament suspended Dorian Faulk days after he was paid 36,000 pounds by Halberd, a lobbying firm.")!;

        Assert.DoesNotContain("000", terms.Words);
        Assert.DoesNotContain(StoryTerms.Stem("halberd"), terms.Words);
        Assert.Contains(Term("lobbying"), terms.Words);
    }

    [Fact]
    public void AnAbbreviatedMonthOrDayIsNoName()
    {
        var terms = StoryTerms.Of(null, "LOWICK, Oct 11 (Kestrel) - A fire at a substation cut power to 38,000 homes on Thu night.")!;

        Assert.Equal(StoryTerms.WordWeight, terms.Weights[Term("oct")]);
        Assert.Equal(StoryTerms.WordWeight, terms.Weights[Term("thu")]);
    }

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
        Assert.Equal(StoryTerms.NumberWeight, terms.Weights["2300000000"]);
        Assert.Equal(StoryTerms.NameWeight, terms.Weights[StoryTerms.Stem("ortiz")]);
        Assert.Equal(StoryTerms.NameWeight, terms.Weights[StoryTerms.Stem("mayor")]);
        // A small count and a year are in reports of any event: they weigh as words.
        Assert.Equal(StoryTerms.WordWeight, terms.Weights["40"]);
        Assert.Equal(StoryTerms.WordWeight, terms.Weights["2026"]);
        // Only the lede tells names: the headline's title case does not make "Council" one.
        Assert.Equal(StoryTerms.WordWeight, terms.Weights[Term("council")]);
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
        var (headline, lede) = ("Hokkaido jolted by 6.1 shake; trains halted briefly",
            "Bullet trains between Sapporo and Hakodate stopped for 20 minutes on Monday when a 6.1 shake hit off Hokkaido, the operator said.");
        var similarity = StoryTerms.Of(Quake.Headline, Quake.Lede)!.SimilarityTo(StoryTerms.Of(headline, lede)!);
        // When the fading likeness of the two falls below the threshold: within the window, so the fade decides.
        var fadedBelow = SameStory.FadeTime * Math.Log(similarity / SameStory.Threshold);
        Assert.InRange(fadedBelow, TimeSpan.FromHours(1), SameStory.Window - TimeSpan.FromHours(1));

        Assert.Equal(1, SameStory.StoryFor(Report(2, "desk", Noon + fadedBelow - TimeSpan.FromMinutes(5), headline, lede), [placed]));
        Assert.Null(SameStory.StoryFor(Report(3, "desk", Noon + fadedBelow + TimeSpan.FromMinutes(5), headline, lede), [placed]));
        Assert.Null(SameStory.StoryFor(Report(4, "desk", Noon - fadedBelow - TimeSpan.FromMinutes(5), headline, lede), [placed]));
    }

    [Fact]
    public void AReportLikeOnlyOneOfAStorysReportsStartsAStoryOfItsOwn()
    {
        // The tournament's first semi-final, told by three sources; the second semi-final's report a day later names the
        // first one's winner and is like the latest report of it, not the others.
        var firstSemi = new[]
        {
            Report(1, "clarion", At("2026-10-10T22:30:00Z"), "DORRAN THE DESTROYER! Rovers snatch final spot",
                "Super-sub Luca Dorran broke Corvane hearts two minutes from time, firing Brenholt Rovers into the Continental Cup final with a 2-1 win in front of a rocking 38,000 crowd at Ashgrove Park.", story: 1),
            Report(2, "courier", At("2026-10-11T07:15:00Z"), "Rovers Book Final Place After 2-1 Win Over Corvane",
                "Brenholt Rovers are one game from continental glory after a 2-1 semi-final victory over Corvane Athletic, with Tomas Reyk's early opener and Luca Dorran's late winner sandwiching an Emil Sarto penalty.", story: 1),
            Report(3, "dispatch", At("2026-10-11T09:40:00Z"), "Brenholt edge Corvane in tense Continental Cup semi-final",
                "Brenholt Rovers reached the Continental Cup final by beating Corvane Athletic 2-1 on Saturday, Luca Dorran heading the winner in the 88th minute after Emil Sarto's penalty had cancelled out Tomas Reyk's opener.", story: 1),
        };
        var secondSemi = Report(4, "wire", At("2026-10-11T20:50:00Z"), "Istrel FC beat Halvik on penalties to reach Continental Cup final",
            "Istrel FC beat Halvik United 4-2 on penalties after a 1-1 draw at Ternwood Stadium on Sunday to set up a Continental Cup final against Brenholt Rovers, goalkeeper Piet Vanholm saving twice in the shootout.");
        var anotherReportOfTheFirst = Report(5, "wire", At("2026-10-10T21:05:00Z"), "Late Dorran goal sends Brenholt Rovers into Continental Cup final",
            "Luca Dorran scored in the 88th minute as Brenholt Rovers beat Corvane Athletic 2-1 at Ashgrove Park on Saturday to reach the Continental Cup final, where they will face Istrel FC or Halvik United.");

        Assert.True(SameStory.IsAlike(secondSemi, firstSemi[2]));
        Assert.Equal(1, firstSemi.Count(report => SameStory.IsAlike(secondSemi, report)));
        Assert.Null(SameStory.StoryFor(secondSemi, firstSemi));
        Assert.Equal(1, SameStory.StoryFor(anotherReportOfTheFirst, firstSemi));
    }

    [Fact]
    public void ReportsSharingOnlyWordsMustBeMoreAlikeWhateverTheTimeBetweenThem()
    {
        // Another story on the fire's subject shares its words (a market hall, fire), none of its names or figures.
        var fire = Report(1, "wire", Noon, "Wexbridge landmark lost to overnight fire",
            "The Corn Exchange, the 160-year-old market hall of Wexbridge, was destroyed by fire; no one was hurt, the fire service said.", story: 1);
        var repairBills = Report(2, "herald", Noon.AddMinutes(-30), "Historic market halls face rising repair bills",
            "Owners of old exchange buildings say insurance against fire has doubled.");
        Assert.InRange(SameStory.Likeness(repairBills, fire), SameStory.Threshold, SameStory.ThresholdOnWordsAlone);
        Assert.Null(SameStory.StoryFor(repairBills, [fire]));

        // A paraphrase that names nothing the other names, more alike than that, joins though published 13 hours later.
        var billPassed = Report(3, "politics", Noon, "Assembly passes data privacy bill by narrow margin",
            "Lawmakers passed the data privacy bill 92 to 87 after a backbencher rebellion, creating a protection authority and limiting the use of location data by companies.", story: 3);
        var billCleared = Report(4, "briefing", Noon.AddHours(13), "Privacy bill clears Assembly: what changes for businesses",
            "Companies will need consent to track location data once the privacy bill the assembly passed on Thursday becomes law.");
        Assert.False(billCleared.Terms!.CompareWith(billPassed.Terms!).SharesNameOrFigure);
        Assert.Equal(3, SameStory.StoryFor(billCleared, [billPassed]));
    }

    private static DateTimeOffset At(string instant) => DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void AStoryItsSourceHasToldIsJoinedOnlyByACertainMatchAndTheNextMostAlikeStoryIsJoinedInstead()
    {
        var told = Report(1, "wire", Noon, Quake.Headline, Quake.Lede, story: 1);
        var paraphrase = Report(2, "desk", Noon.AddMinutes(30), Tremor.Headline, Tremor.Lede, story: 1);
        var lessAlike = Report(3, "radio", Noon.AddMinutes(40), "Hokkaido quake: no tsunami", "A 6.1 quake struck off Hokkaido, the agency said.", story: 3);
        var nextReport = Report(4, "wire", Noon.AddHours(1), Tremor.Headline + " again", Tremor.Lede);

        Assert.True(SameStory.IsAlike(nextReport, paraphrase) && SameStory.IsAlike(nextReport, lessAlike));
        Assert.True(SameStory.Likeness(nextReport, paraphrase) > SameStory.Likeness(nextReport, lessAlike));
        Assert.Equal(1, SameStory.StoryFor(nextReport with { SourceId = "agency" }, [told, paraphrase, lessAlike]));
        Assert.Equal(3, SameStory.StoryFor(nextReport, [told, paraphrase, lessAlike]));
        Assert.Null(SameStory.StoryFor(nextReport, [told, paraphrase]));
        // The same article, found again under a new guid, is the same story.
        var link = StoryKeys.LinkKey("https://wire.example.com/quake");
        Assert.Equal(1, SameStory.StoryFor(nextReport with { LinkKey = link }, [told with { LinkKey = link }, paraphrase]));
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
