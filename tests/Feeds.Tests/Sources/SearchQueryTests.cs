using Feeds.Core.Sources;
using Feeds.Core.Storage.Sqlite;

namespace Feeds.Tests.Sources;

public sealed class SearchQueryTests
{
    private static SearchQuery Parse(string text)
    {
        Assert.True(SearchQuery.TryParse(text, out var query, out var error), error);
        return query;
    }

    private static string Refusal(string? text)
    {
        Assert.False(SearchQuery.TryParse(text, out _, out var error), $"\"{text}\" was accepted");
        Assert.NotEmpty(error);
        return error;
    }

    [Theory]
    [InlineData("storm", "storm")]
    [InlineData("  Storm   BRIDGE ", "storm bridge")]
    [InlineData("\"Exit Poll\" results", "\"exit poll\" results")]
    [InlineData("covid-19 vaccine", "\"covid 19\" vaccine")]
    [InlineData("bridge -harbour -\"old town\"", "bridge -harbour -\"old town\"")]
    [InlineData("bridge source:wire section:world", "bridge source:wire section:world")]
    [InlineData("NEAR( AND OR NOT", "near and or not")]
    [InlineData("storm* ^bridge {x} \"col:umn\"", "storm bridge x \"col umn\"")]
    [InlineData("storm\tbridge\r\n", "storm bridge")]
    [InlineData("l'été", "\"l été\"")]
    [InlineData("'; DROP TABLE items; --", "drop table items")]
    public void AQueryIsReadIntoWordsPhrasesExclusionsAndFilters(string text, string canonical) =>
        Assert.Equal(canonical, Parse(text).Canonical);

    [Fact]
    public void TheTreeHoldsOnlyLowercaseWordsNeverOperators()
    {
        var query = Parse("\"a* NEAR(b\" -c^ source:wire");

        Assert.Equal([["a", "near", "b"]], query.Include.Select(t => t.Words));
        Assert.Equal([["c"]], query.Exclude.Select(t => t.Words));
        Assert.Equal(["wire"], query.Sources);
    }

    [Theory]
    [InlineData(null, "empty")]
    [InlineData("", "empty")]
    [InlineData("\"unclosed phrase", "quote at position 1 is not closed")]
    [InlineData("storm \"", "quote at position 7 is not closed")]
    [InlineData("* ^ : ( ) - \"\"", "no words to find")]
    [InlineData("-storm", "nothing to find")]
    [InlineData("source:wire", "nothing to find")]
    [InlineData("title:storm", "\"title:\" at position 1 is not a filter")]
    [InlineData("storm -source:wire", "-source: at position 7 is not supported")]
    [InlineData("storm section:", "section: at position 7 names no section")]
    [InlineData("storm\0bridge", "control character (U+0000) at position 6")]
    [InlineData("\"storm\0\"", "control character")]
    public void ABadQueryIsRefusedSayingWhatAndWhere(string? text, string reason) =>
        Assert.Contains(reason, Refusal(text));

    [Fact]
    public void AVeryLongQueryIsRefusedBeforeItIsRead()
    {
        var error = Refusal(new string('a', 10 * 1024));

        Assert.Contains("10240 characters", error);
        Assert.Contains($"at most {SearchQuery.MaxLength}", error);
    }

    [Fact]
    public void TooManyTermsAreRefused() =>
        Assert.Contains($"at most {SearchQuery.MaxTerms}", Refusal(string.Join(' ', Enumerable.Range(0, SearchQuery.MaxTerms + 1).Select(i => $"w{i}"))));

    [Fact]
    public void ALoneSurrogateSeparatesWordsInsteadOfFailing() =>
        Assert.Equal("\"storm bridge\"", Parse("storm\uD800bridge").Canonical);

    [Theory]
    [InlineData("storm", "Storm hits the coast", null, true)]
    [InlineData("cafe", "Café owners protest", null, true)]
    [InlineData("\"exit poll\"", "Election night", "The exit poll shows a close race", true)]
    [InlineData("\"poll exit\"", "Election night", "The exit poll shows a close race", false)]
    [InlineData("\"night the\"", "Election night", "The exit poll", false)]
    [InlineData("storm -sport", "Storm delays the sport final", null, false)]
    [InlineData("storm bridge", "Storm hits the coast", "Bridge closed", true)]
    [InlineData("storm bridge", "Storm hits the coast", null, false)]
    public void ASectionsQueryRuleMatchesTitleAndSummaryAsTheIndexDoes(string text, string title, string? summary, bool matches) =>
        Assert.Equal(matches, Parse(text).MatchesText(title, summary));

    [Theory]
    [InlineData("storm", "(\"storm\")")]
    [InlineData("storm \"exit poll\"", "(\"storm\" AND \"exit poll\")")]
    [InlineData("storm -sport -\"final score\"", "(\"storm\") NOT (\"sport\" OR \"final score\")")]
    [InlineData("NEAR(storm, 3) OR \"x:y*\"", "(\"near storm\" AND \"3\" AND \"or\" AND \"x y\")")]
    public void TheFts5QueryIsWrittenFromTheTreeWithEveryTermQuoted(string text, string match) =>
        Assert.Equal(match, SqliteSearchStore.Match(Parse(text)));
}
