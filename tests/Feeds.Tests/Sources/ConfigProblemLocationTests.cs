using Feeds.Core.Sources;
using Feeds.Tests.Support;

namespace Feeds.Tests.Sources;

/// <summary>Every config problem says <c>file:line:col</c> and its path as the file spells it, in the loader and through <c>check-config</c>.</summary>
public sealed class ConfigProblemLocationTests
{
    [Theory]
    [MemberData(nameof(BrokenConfigs.Cases), MemberType = typeof(BrokenConfigs))]
    public void TheLoaderNamesTheFileLineColumnAndPath(string mistake, string json, string expected)
    {
        var (config, problems) = ConfigLoader.Parse(json, "/srv/feeds/feeds.json");

        Assert.Null(config);
        Assert.True(problems.Count == 1, $"{mistake}: {string.Join(" | ", problems)}");
        Assert.StartsWith(expected.Replace("FILE", "/srv/feeds/feeds.json"), problems[0].ToString());
    }

    [Theory]
    [MemberData(nameof(BrokenConfigs.Cases), MemberType = typeof(BrokenConfigs))]
    public async Task CheckConfigPrintsTheSameLineAnEditorJumpsTo(string mistake, string json, string expected)
    {
        using var folder = new TempFolder();
        var path = folder.File("feeds.json");
        await File.WriteAllTextAsync(path, json);

        var (exit, _, error) = await FeedsProcess.RunAsync("check-config", path);

        Assert.Equal(2, exit);
        Assert.True(error.Contains(expected.Replace("FILE", path), StringComparison.Ordinal), $"{mistake}: {error}");
    }

    [Fact]
    public void AKeyWrittenInAnotherCaseIsNamedAsWritten()
    {
        var (_, problems) = ConfigLoader.Parse("""
            { "Sections": [{ "id": "world", "title": "World" }],
              "Sources": [{ "id": "wire", "Url": "ftp://x.example/", "sections": ["world"] }] }
            """, "feeds.json");

        Assert.Equal("feeds.json:2:38: Sources[0].Url: scheme \"ftp:\" is not supported; use an http:// or https:// URL, or a local file path",
            Assert.Single(problems).ToString());
    }

    [Fact]
    public void AMissingKeyPointsAtTheObjectThatLacksIt()
    {
        var (_, problems) = ConfigLoader.Parse("""
            { "sections": [{ "id": "world", "title": "World" }],
              "sources": [{ "id": "wire", "sections": ["world"] }] }
            """, "feeds.json");

        Assert.Equal("feeds.json:2:15: sources[0].url: missing; \"url\" is required", Assert.Single(problems).ToString());
    }

    [Fact]
    public void ColumnsCountCharactersNotBytes()
    {
        var (_, problems) = ConfigLoader.Parse("""
            { "sections": [{ "id": "world", "title": "Wörld — Ünïcode" }],
              "sources": [{ "id": "wire", "url": "https://wire.example.com/rss", "sections": ["world"] }],
              "publishing": { "itemsPerFeed": 0 } }
            """, "feeds.json");

        Assert.StartsWith("feeds.json:3:35: publishing.itemsPerFeed:", Assert.Single(problems).ToString());
    }
}
