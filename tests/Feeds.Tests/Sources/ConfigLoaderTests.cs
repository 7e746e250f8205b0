using Feeds.Core.Sources;
using Feeds.Tests.Support;

namespace Feeds.Tests.Sources;

public sealed class ConfigLoaderTests
{
    [Fact]
    public void ShippedConfigLoadsWithThreeSectionsFedByLocalSamples()
    {
        var config = ConfigLoader.Load(Path.Combine(TestFiles.Root, "config", "feeds.json"));

        Assert.Equal(["international", "politics", "technology"], config.Sections.Select(s => s.Id));
        Assert.All(config.Sources, source => Assert.True(File.Exists(source.Location.FilePath), $"{source.Id} points at a missing file"));
        Assert.All(config.Sections, section => Assert.NotEmpty(config.SourcesOf(section)));
        // The sample shows the stories' option: the wire leads the stories it reports.
        Assert.Equal(["world-wire", "meridian-politics"], config.Stories.PreferredSources);
    }

    [Fact]
    public void EveryProblemIsReportedAtOnceWithItsPath()
    {
        const string json = """
            {
              "sections": [
                { "id": "world", "title": "World" },
                { "id": "world", "title": "Again" },
                { "id": "Bad Id", "title": "x" }
              ],
              "sources": [
                { "id": "a", "url": "ftp://example.com/feed", "sections": ["world"] },
                { "id": "b", "url": "https://example.com/feed", "sections": ["sports"] },
                { "id": "c", "url": "https://example.com/c", "sections": ["world"], "schedule": "often" },
                { "id": "d", "url": "https://example.com/d", "sections": ["world"], "shedule": "15m" }
              ]
            }
            """;

        var (config, problems) = ConfigLoader.Parse(json, "/etc/feeds/feeds.json");

        Assert.Null(config);
        var byPath = problems.ToDictionary(p => p.Path, p => p.Message);
        Assert.Contains("scheme \"ftp:\" is not supported", byPath["sources[0].url"]);
        Assert.Contains("unknown section \"sports\"", byPath["sources[1].sections[0]"]);
        Assert.Contains("\"often\" is not an interval", byPath["sources[2].schedule"]);
        Assert.Contains("did you mean \"schedule\"", byPath["sources[3].shedule"]);
        Assert.Contains("not a valid id", byPath["sections[2].id"]);
        Assert.Equal("duplicate section id \"world\", first defined at /etc/feeds/feeds.json:3:13 (sections[0].id); every section needs its own id",
            byPath["sections[1].id"]);
        Assert.All(problems, p => Assert.Equal("/etc/feeds/feeds.json", p.File));
    }

    [Fact]
    public void ASectionsQueryRuleIsReadWithTheSearchSyntaxAndABadOneIsNamedWithItsPath()
    {
        const string json = """
            {
              "sections": [
                { "id": "storms", "title": "Storms", "include": { "query": "storm \"flood warning\" -sport" } },
                { "id": "bad", "title": "Bad", "include": { "query": "storm \"unclosed" } },
                { "id": "filtered", "title": "Filtered", "exclude": { "query": "storm source:wire" } }
              ],
              "sources": [{ "id": "wire", "url": "https://example.com/feed", "sections": ["storms", "bad", "filtered"] }]
            }
            """;

        var (config, problems) = ConfigLoader.Parse(json, "feeds.json");
        var (good, goodProblems) = ConfigLoader.Parse(json.Replace("storm \\\"unclosed", "storm").Replace("storm source:wire", "hail"), "feeds.json");

        Assert.Null(config);
        var byPath = problems.ToDictionary(p => p.Path, p => p.Message);
        Assert.Contains("quote at position 7 is not closed", byPath["sections[1].include.query"]);
        Assert.Contains("a section's query takes words", byPath["sections[2].exclude.query"]);
        Assert.Empty(goodProblems);
        var storms = good!.FindSection("storms")!;
        Assert.True(storms.Rules.Accepts(new RuleSubject("Storm brings flood warning", null, [], null)));
        Assert.False(storms.Rules.Accepts(new RuleSubject("Storm brings flood warning to sport", null, [], null)));
        Assert.False(storms.Rules.Accepts(new RuleSubject("Storm brings floods", null, [], null)));
    }

    [Fact]
    public void InvalidJsonNamesTheLine()
    {
        var (config, problems) = ConfigLoader.Parse("{\n  \"sections\": [\n    { \"id\": \"a\" \"title\": \"x\" }\n  ]\n}", "feeds.json");

        Assert.Null(config);
        var problem = Assert.Single(problems);
        Assert.Equal((3, 17, "sections[0]"), (problem.Line, problem.Column, problem.Path));
    }

    [Fact]
    public void RelativeSourcePathsResolveAgainstTheConfigFolder()
    {
        var (config, _) = ConfigLoader.Parse("""
            { "sections": [{ "id": "s", "title": "S" }],
              "sources": [{ "id": "f", "url": "samples/a.xml", "sections": ["s"] }] }
            """, "/srv/feeds/config/feeds.json");

        Assert.Equal("/srv/feeds/config/samples/a.xml", config!.Sources[0].Location.FilePath);
        Assert.Equal(ConfigLoader.DefaultInterval, config.Sources[0].Interval);
    }

    [Theory]
    [InlineData("{ \"itemsPerFeed\": 20 }", 20)]
    [InlineData(null, PublishingSettings.DefaultItemsPerFeed)]
    public void ItemsPerFeedIsConfigurable(string? publishing, int expected)
    {
        var (config, problems) = ConfigLoader.Parse($$"""
            { "sections": [{ "id": "s", "title": "S" }],
              "sources": [{ "id": "f", "url": "a.xml", "sections": ["s"] }]
              {{(publishing is null ? "" : ", \"publishing\": " + publishing)}} }
            """, "/srv/feeds.json");

        Assert.Empty(problems);
        Assert.Equal(expected, config!.Publishing.ItemsPerFeed);
    }

    [Fact]
    public void PreferredSourcesAreReadGloballyAndPerSectionTheSectionsOverTheGlobalOnes()
    {
        var (config, problems) = ConfigLoader.Parse("""
            { "sections": [{ "id": "s", "title": "S" }, { "id": "t", "title": "T", "preferredSources": ["b"] }],
              "sources": [{ "id": "a", "url": "a.xml", "sections": ["s", "t"] }, { "id": "b", "url": "b.xml", "sections": ["s", "t"] }],
              "stories": { "preferredSources": ["a", "b"] } }
            """, "/srv/feeds.json");

        Assert.Empty(problems);
        Assert.Equal(["a", "b"], config!.PreferredSourcesOf(config.Sections[0]));
        Assert.Equal(["b"], config.PreferredSourcesOf(config.Sections[1]));
        Assert.Equal(["a", "b"], config.Stories.PreferredSources);
    }

    [Theory]
    [InlineData("\"stories\": { \"preferredSources\": [\"a\", \"wires\"] }", "stories.preferredSources[1]", 3, 42, "unknown source \"wires\"; known sources: a")]
    [InlineData("\"stories\": { \"preferredSources\": \"a\" }", "stories.preferredSources", 3, 36, "must be an array of source ids")]
    [InlineData("\"stories\": { \"preferred\": [\"a\"] }", "stories.preferred", 3, 16, "unknown key \"preferred\"")]
    [InlineData("\"stories\": [\"a\"]", "stories", 3, 14, "must be an object")]
    public void BadPreferredSourcesAreNamedWithTheirLineAndColumn(string stories, string path, int line, int column, string message)
    {
        var (config, problems) = ConfigLoader.Parse($$"""
            { "sections": [{ "id": "s", "title": "S" }],
              "sources": [{ "id": "a", "url": "a.xml", "sections": ["s"] }],
              {{stories}} }
            """, "/srv/feeds.json");

        Assert.Null(config);
        var problem = Assert.Single(problems);
        Assert.Equal((path, line, column), (problem.Path, problem.Line, problem.Column));
        Assert.Contains(message, problem.Message);
    }

    [Fact]
    public void ASectionsPreferredSourceMustBeConfigured()
    {
        var (_, problems) = ConfigLoader.Parse("""
            { "sections": [{ "id": "s", "title": "S", "preferredSources": ["nope"] }],
              "sources": [{ "id": "a", "url": "a.xml", "sections": ["s"] }] }
            """, "/srv/feeds.json");

        Assert.Equal("sections[0].preferredSources[0]", Assert.Single(problems).Path);
    }

    [Theory]
    [InlineData("{ \"itemsPerFeed\": 0 }", "publishing.itemsPerFeed")]
    [InlineData("{ \"itemsPerFeed\": \"ten\" }", "publishing.itemsPerFeed")]
    [InlineData("{ \"itemPerFeed\": 10 }", "publishing.itemPerFeed")]
    [InlineData("[]", "publishing")]
    public void BadPublishingSettingsAreNamed(string publishing, string path)
    {
        var (_, problems) = ConfigLoader.Parse($$"""
            { "sections": [{ "id": "s", "title": "S" }],
              "sources": [{ "id": "f", "url": "a.xml", "sections": ["s"] }],
              "publishing": {{publishing}} }
            """, "/srv/feeds.json");

        Assert.Equal(path, Assert.Single(problems).Path);
    }

    [Fact]
    public void FetchingSettingsAreReadWithTheirUnits()
    {
        var (config, problems) = ConfigLoader.Parse("""
            { "sections": [{ "id": "s", "title": "S" }],
              "sources": [{ "id": "f", "url": "a.xml", "sections": ["s"] }],
              "fetching": { "allowPrivateNetworks": ["127.0.0.1/32", "10.20.0.0/16", "fd00::1"], "maxBodyBytes": 1048576,
                            "timeout": "20s", "connectTimeout": "5s", "perHostConcurrency": 2, "minHostSpacing": "500ms",
                            "maxConcurrency": 32, "minInterval": "10m", "maxInterval": "6h", "maxBackoff": "3h",
                            "maxPollsInFlight": 100 } }
            """, "/srv/feeds.json");

        Assert.Empty(problems);
        var fetching = config!.Fetching;
        Assert.Equal(["127.0.0.1/32", "10.20.0.0/16", "fd00::1/128"], fetching.AllowedPrivateNetworks.Select(n => n.ToString()));
        Assert.Equal((1048576L, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(5)), (fetching.MaxBodyBytes, fetching.Timeout, fetching.ConnectTimeout));
        Assert.Equal((2, TimeSpan.FromMilliseconds(500), 32), (fetching.PerHostConcurrency, fetching.MinHostSpacing, fetching.MaxConcurrency));
        Assert.Equal((TimeSpan.FromMinutes(10), TimeSpan.FromHours(6), TimeSpan.FromHours(3), (int?)100),
            (config.Scheduling.MinInterval, config.Scheduling.MaxInterval, config.Scheduling.MaxBackoff, config.Scheduling.MaxPollsInFlight));
    }

    [Fact]
    public void WithoutFetchingSettingsPrivateNetworksAreClosedAndDefaultsApply()
    {
        var (config, _) = ConfigLoader.Parse("""
            { "sections": [{ "id": "s", "title": "S" }], "sources": [{ "id": "f", "url": "a.xml", "sections": ["s"] }] }
            """, "/srv/feeds.json");

        Assert.Empty(config!.Fetching.AllowedPrivateNetworks);
        Assert.Equal((1, 15L * 1024 * 1024), (config.Fetching.PerHostConcurrency, config.Fetching.MaxBodyBytes));
    }

    [Theory]
    [InlineData("{ \"allowPrivateNetworks\": [\"localhost\"] }", "fetching.allowPrivateNetworks[0]")]
    [InlineData("{ \"allowPrivateNetworks\": [\"10.0.0.1/8\"] }", "fetching.allowPrivateNetworks[0]")]
    [InlineData("{ \"allowPrivateNetworks\": \"127.0.0.1/32\" }", "fetching.allowPrivateNetworks")]
    [InlineData("{ \"maxBodyBytes\": 10 }", "fetching.maxBodyBytes")]
    [InlineData("{ \"timeout\": \"forever\" }", "fetching.timeout")]
    [InlineData("{ \"timeout\": \"0s\" }", "fetching.timeout")]
    [InlineData("{ \"perHostConcurrency\": 0 }", "fetching.perHostConcurrency")]
    [InlineData("{ \"minHostSpacing\": \"-1s\" }", "fetching.minHostSpacing")]
    [InlineData("{ \"minInterval\": \"2h\", \"maxInterval\": \"1h\" }", "fetching.maxInterval")]
    [InlineData("{ \"maxConcurency\": 4 }", "fetching.maxConcurency")]
    [InlineData("true", "fetching")]
    public void BadFetchingSettingsAreNamed(string fetching, string path)
    {
        var (_, problems) = ConfigLoader.Parse($$"""
            { "sections": [{ "id": "s", "title": "S" }],
              "sources": [{ "id": "f", "url": "a.xml", "sections": ["s"] }],
              "fetching": {{fetching}} }
            """, "/srv/feeds.json");

        Assert.Equal(path, Assert.Single(problems).Path);
    }

    [Theory]
    [InlineData("{ \"allowedNetworks\": [\"office\"] }", "operators.allowedNetworks[0]")]
    [InlineData("{ \"allowedNetworks\": [\"10.0.0.0/8\", \"10.1.0.1/16\"] }", "operators.allowedNetworks[1]")]
    [InlineData("{ \"trustedProxies\": \"127.0.0.1\" }", "operators.trustedProxies")]
    [InlineData("{ \"token\": \"short\" }", "operators.token")]
    [InlineData("{ \"token\": \"a token with spaces in it, long enough\" }", "operators.token")]
    [InlineData("{ \"allowedNetwork\": [] }", "operators.allowedNetwork")]
    [InlineData("[]", "operators")]
    public void BadOperatorSettingsAreNamed(string operators, string path)
    {
        var (_, problems) = ConfigLoader.Parse($$"""
            { "sections": [{ "id": "s", "title": "S" }],
              "sources": [{ "id": "f", "url": "a.xml", "sections": ["s"] }],
              "operators": {{operators}} }
            """, "/srv/feeds.json");

        Assert.Equal(path, Assert.Single(problems).Path);
    }

    [Fact]
    public void OperatorPagesArePrivateToLoopbackUnlessTheConfigSaysOtherwise()
    {
        var (defaults, _) = ConfigLoader.Parse("""
            { "sections": [{ "id": "s", "title": "S" }], "sources": [{ "id": "f", "url": "a.xml", "sections": ["s"] }] }
            """, "/srv/feeds.json");
        var (configured, problems) = ConfigLoader.Parse("""
            { "sections": [{ "id": "s", "title": "S" }], "sources": [{ "id": "f", "url": "a.xml", "sections": ["s"] }],
              "operators": { "allowedNetworks": ["10.20.0.0/16", "192.0.2.7"], "trustedProxies": ["127.0.0.1/32"], "token": "0123456789abcdef0123456789abcdef" } }
            """, "/srv/feeds.json");

        Assert.Empty(problems);
        Assert.Equal(["127.0.0.0/8", "::1/128"], defaults!.Operators.AllowedNetworks.Select(n => n.ToString()));
        Assert.Empty(defaults.Operators.TrustedProxies);
        Assert.Null(defaults.Operators.Token);
        Assert.Equal(["10.20.0.0/16", "192.0.2.7/32"], configured!.Operators.AllowedNetworks.Select(n => n.ToString()));
        Assert.Equal(["127.0.0.1/32"], configured.Operators.TrustedProxies.Select(n => n.ToString()));
        Assert.Equal("0123456789abcdef0123456789abcdef", configured.Operators.Token);
    }

    [Theory]
    [InlineData("0s", 0)]
    [InlineData("500ms", 500)]
    [InlineData("1m30s", 90000)]
    public void DurationsMayBeZeroOrInMilliseconds(string text, int milliseconds)
    {
        Assert.True(ConfigLoader.TryParseDuration(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("15m", 900)]
    [InlineData("1h30m", 5400)]
    [InlineData("2d", 172800)]
    public void IntervalsAreWrittenWithUnits(string text, int seconds)
    {
        Assert.True(ConfigLoader.TryParseInterval(text, out var interval));
        Assert.Equal(TimeSpan.FromSeconds(seconds), interval);
    }

    [Theory]
    [InlineData("")]
    [InlineData("15")]
    [InlineData("m")]
    [InlineData("-5m")]
    [InlineData("0m")]
    public void IntervalsWithoutAPositiveAmountAndUnitAreRejected(string text) =>
        Assert.False(ConfigLoader.TryParseInterval(text, out _));
}
