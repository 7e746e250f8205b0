using Feeds.Core.Sources;

namespace Feeds.Tests.Sources;

public sealed class ConfigChangeTests
{
    private static FeedsConfig Parse(string json) => ConfigLoader.Parse(json, "/srv/feeds/feeds.json").Config!;

    private const string Base = """
        { "sections": [{ "id": "world", "title": "World" }],
          "sources": [{ "id": "wire", "url": "https://wire.example.com/rss", "sections": ["world"] }]
          RETENTION }
        """;

    [Fact]
    public void AnIdenticalFileIsNoChange() =>
        Assert.True(ConfigChange.Between(Parse(Base.Replace("RETENTION", "")), Parse(Base.Replace("RETENTION", ""))).IsEmpty);

    [Theory]
    [InlineData(", \"retention\": { \"maxAgeDays\": 7 }")]
    public void ARetentionEditIsAChange(string retention) =>
        Assert.False(ConfigChange.Between(Parse(Base.Replace("RETENTION", "")), Parse(Base.Replace("RETENTION", retention))).IsEmpty);

    [Fact]
    public void AStorageEditIsAChangeThatWaitsForARestartAndTouchesNoSource()
    {
        var json = Base.Replace("RETENTION", ", \"storage\": { \"provider\": \"postgres\", \"connectionString\": \"Host=db;Database=feeds\" }");
        var postgres = Parse(json);

        var change = ConfigChange.Between(Parse(Base.Replace("RETENTION", "")), postgres);

        Assert.False(change.IsEmpty);
        Assert.True(change.StorageChanged);
        Assert.Empty(change.ChangedSources);
        Assert.True(ConfigChange.Between(postgres, Parse(json)).IsEmpty);
    }

    [Fact]
    public void ASourcesOwnRetentionIsAChangeOfThatSource()
    {
        var withOwn = Parse(Base.Replace("RETENTION", "").Replace("\"sections\": [\"world\"] }", "\"sections\": [\"world\"], \"retention\": { \"maxItemsPerSource\": 10 } }"));

        var change = ConfigChange.Between(Parse(Base.Replace("RETENTION", "")), withOwn);

        Assert.Equal(["wire"], change.ChangedSources.Select(s => s.Id));
    }

    [Fact]
    public void ARuleEditChangesItsSection()
    {
        var ruled = Parse(Base.Replace("RETENTION", "").Replace("\"title\": \"World\"", "\"title\": \"World\", \"include\": { \"keywords\": \"summit\" }"));

        Assert.Equal(["world"], ConfigChange.Between(Parse(Base.Replace("RETENTION", "")), ruled).ChangedSections);
    }
}
