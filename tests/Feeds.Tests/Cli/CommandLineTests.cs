using System.Text.Json;
using Feeds.Tests.Support;

namespace Feeds.Tests.Cli;

/// <summary>The built <c>feeds</c> executable, run as a user runs it.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public async Task ParsePrintsTheNormalizedDocument()
    {
        var (exit, output, _) = await FeedsProcess.RunAsync("parse", TestFiles.Sample("world-wire.rss"));

        Assert.Equal(0, exit);
        using var document = JsonDocument.Parse(output);
        var root = document.RootElement;
        Assert.Equal("rss20", root.GetProperty("format").GetString());
        Assert.Equal("Harbor Wire — World", root.GetProperty("feed").GetProperty("title").GetString());
        var port = root.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("title").GetString()!.StartsWith("Port strike", StringComparison.Ordinal));
        Assert.Equal("desk@news.example.com", port.GetProperty("authors")[0].GetProperty("email").GetString());
        Assert.Equal("Maria Lopez", port.GetProperty("authors")[0].GetProperty("name").GetString());
        Assert.Equal("2026-11-03T13:25:00Z", port.GetProperty("published").GetString());
    }

    [Fact]
    public async Task ParseDirPrintsOneLinePerFileAndErrorsAsLines()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("rss"));
        File.Copy(TestFiles.Sample("techdesk.rss"), folder.File("rss/techdesk.rss"));
        File.WriteAllText(folder.File("page.html"), "<html><body>not a feed</body></html>");

        var (exit, output, _) = await FeedsProcess.RunAsync("parse", "--dir", folder.Path);

        Assert.Equal(0, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToDictionary(l => l.GetProperty("file").GetString()!);
        Assert.Equal(10, lines["rss/techdesk.rss"].GetProperty("result").GetProperty("items").GetArrayLength());
        Assert.Contains("HTML", lines["page.html"].GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ParseOfSomethingThatIsNotAFeedExitsWithBadInput()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("x.xml"), "<html><body>hi</body></html>");

        var (exit, _, error) = await FeedsProcess.RunAsync("parse", folder.File("x.xml"));

        Assert.Equal(2, exit);
        Assert.Contains("x.xml", error);
    }

    [Fact]
    public async Task CheckConfigAcceptsTheShippedConfig()
    {
        var (exit, output, _) = await FeedsProcess.RunAsync("check-config", Path.Combine(TestFiles.Root, "config", "feeds.json"));

        Assert.Equal(0, exit);
        Assert.Contains("OK", output);
    }

    [Fact]
    public async Task CheckConfigListsEveryProblemAndExitsTwo()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("feeds.json"), """
            { "sections": [{ "id": "s", "title": "S" }],
              "sources": [{ "id": "a", "url": "gopher://x", "sections": ["s"] },
                          { "id": "b", "url": "https://x.example/", "sections": ["nope"] }] }
            """);

        var (exit, _, error) = await FeedsProcess.RunAsync("check-config", folder.File("feeds.json"));

        Assert.Equal(2, exit);
        Assert.Contains("sources[0].url", error);
        Assert.Contains("sources[1].sections[0]", error);
    }

    [Fact]
    public async Task BadUsageExitsTwo()
    {
        var (exit, _, error) = await FeedsProcess.RunAsync("parse");

        Assert.Equal(2, exit);
        Assert.Contains("FILE", error);
    }

    [Fact]
    public async Task RefreshPollsTheOfflineSamplesOnceAndStoresThem()
    {
        using var folder = new TempFolder();
        var (exit, output, _) = await FeedsProcess.RunAsync("refresh", "--config", Path.Combine(TestFiles.Root, "config", "feeds.json"), "--db", folder.File("feeds.db"));

        Assert.Equal(0, exit);
        Assert.Contains("4 source(s) polled, 0 failed", output);
        Assert.Contains("world-wire", output);
        Assert.True(File.Exists(folder.File("feeds.db")));
    }
}
