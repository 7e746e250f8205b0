using Feeds.Core.Sources;

namespace Feeds.Tests.Sources;

public sealed class RetentionConfigTests
{
    private static (FeedsConfig? Config, IReadOnlyList<ConfigProblem> Problems) Parse(string? retention, string? sourceRetention = null) =>
        ConfigLoader.Parse($$"""
            { "sections": [{ "id": "s", "title": "S" }],
              "sources": [
                { "id": "a", "url": "a.xml", "sections": ["s"] {{(sourceRetention is null ? "" : ", \"retention\": " + sourceRetention)}} },
                { "id": "b", "url": "b.xml", "sections": ["s"] }
              ]
              {{(retention is null ? "" : ", \"retention\": " + retention)}} }
            """, "/srv/feeds.json");

    [Fact]
    public void WithoutRetentionItemsAreKeptNinetyDaysAndAThousandPerSource()
    {
        var config = Parse(null).Config!;

        Assert.Equal(new RetentionSettings(90, 1000), config.Retention);
        Assert.Equal(TimeSpan.FromDays(90), config.RetentionOf("a").MaxAge);
        Assert.Equal(1000, config.RetentionOf("a").MaxItems);
    }

    [Fact]
    public void ZeroMeansNoLimit()
    {
        var retention = Parse("""{ "maxAgeDays": 0, "maxItemsPerSource": 0 }""").Config!.Retention;

        Assert.Null(retention.MaxAge);
        Assert.Null(retention.MaxItems);
    }

    [Fact]
    public void ASourceOverridesTheKeysItNamesAndInheritsTheRest()
    {
        var config = Parse("""{ "maxAgeDays": 30, "maxItemsPerSource": 500 }""", """{ "maxItemsPerSource": 50 }""").Config!;

        Assert.Equal(new RetentionSettings(30, 50), config.RetentionOf("a"));
        Assert.Equal(new RetentionSettings(30, 500), config.RetentionOf("b"));
        Assert.Equal(new RetentionSettings(30, 500), config.RetentionOf("no-longer-configured"));
    }

    [Theory]
    [InlineData("""{ "maxAgeDays": -1 }""", null, "retention.maxAgeDays", "0 keeps items of any age")]
    [InlineData("""{ "maxAgeDays": "90d" }""", null, "retention.maxAgeDays", "not a string")]
    [InlineData("""{ "maxItemsPerSource": 2.5 }""", null, "retention.maxItemsPerSource", "not 2.5")]
    [InlineData("""{ "maxAge": 90 }""", null, "retention.maxAge", "did you mean \"maxAgeDays\"")]
    [InlineData("90", null, "retention", "must be an object")]
    [InlineData(null, """{ "maxItemsPerSource": -5 }""", "sources[0].retention.maxItemsPerSource", "from 0 to")]
    public void BadRetentionIsNamedWithItsPath(string? retention, string? sourceRetention, string path, string message)
    {
        var (config, problems) = Parse(retention, sourceRetention);

        Assert.Null(config);
        Assert.Contains(message, Assert.Single(problems, p => p.Path == path).Message);
    }
}
