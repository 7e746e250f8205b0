using System.Text.Json.Nodes;
using Feeds.Core.Sources;
using Feeds.Tests.Support;

namespace Feeds.Tests.Cli;

public sealed class OpmlCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _config;

    public OpmlCommandTests()
    {
        _config = _folder.File("feeds.json");
        File.WriteAllText(_config, """
            {
              "sections": [
                { "id": "international", "title": "International" },
                { "id": "technology", "title": "Technology" }
              ],
              "sources": [
                { "id": "gadgets", "url": "http://gadgetlab.example.com/feed", "sections": ["technology"] },
                { "id": "wire", "url": "https://wire.example.com/rss", "sections": ["international"] }
              ]
            }
            """);
    }

    public void Dispose() => _folder.Dispose();

    private static string ReaderExport => TestFiles.TestData("Opml/reader-export.opml");

    [Fact]
    public async Task ImportAddsNewFeedsToTheSectionsNamedByTheirFoldersAndSkipsKnownOnes()
    {
        var (exit, output, _) = await FeedsProcess.RunAsync("import-opml", ReaderExport, "--config", _config);

        Assert.Equal(0, exit);
        Assert.Contains("added 2 source(s), skipped 2 already present", output);
        var config = ConfigLoader.Load(_config);
        Assert.Equal(["gadgets", "wire", "open-source-weekly", "global-desk-partners"], config.Sources.Select(s => s.Id));
        Assert.Equal(["technology"], config.FindSource("open-source-weekly")!.Sections);
        Assert.Equal(["international"], config.FindSource("global-desk-partners")!.Sections);
        Assert.Equal("Global Desk & Partners", config.FindSource("global-desk-partners")!.Title);
    }

    [Fact]
    public async Task ImportingTheSameFileTwiceAddsNothingTheSecondTime()
    {
        await FeedsProcess.RunAsync("import-opml", ReaderExport, "--config", _config);
        var before = await File.ReadAllTextAsync(_config);

        var (exit, output, _) = await FeedsProcess.RunAsync("import-opml", ReaderExport, "--config", _config);

        Assert.Equal(0, exit);
        Assert.Contains("added 0 source(s), skipped 4 already present", output);
        Assert.Equal(before, await File.ReadAllTextAsync(_config));
    }

    [Fact]
    public async Task ASectionOptionPutsEveryFeedInIt()
    {
        var (exit, output, _) = await FeedsProcess.RunAsync("import-opml", ReaderExport, "--section", "technology", "--config", _config);

        Assert.Equal(0, exit);
        Assert.Contains("added 2 source(s), skipped 2 already present", output);
        var config = ConfigLoader.Load(_config);
        // Both new feeds, the one from the "international" folder too; the feeds already present keep their sections.
        Assert.Equal(["gadgets", "wire", "open-source-weekly", "global-desk-partners"], config.Sources.Select(s => s.Id));
        Assert.Equal(["technology", "international", "technology", "technology"], config.Sources.Select(s => string.Join(",", s.Sections)));
    }

    [Fact]
    public async Task FeedsInFoldersWithoutASectionAreListedAndNothingIsWritten()
    {
        File.WriteAllText(_folder.File("other.opml"), """
            <opml version="2.0"><body><outline text="Sports"><outline text="Match Day" xmlUrl="https://matchday.example.com/rss"/></outline></body></opml>
            """);
        var before = await File.ReadAllTextAsync(_config);

        var (exit, _, error) = await FeedsProcess.RunAsync("import-opml", _folder.File("other.opml"), "--config", _config);

        Assert.Equal(2, exit);
        Assert.Contains("Match Day <https://matchday.example.com/rss> (folder: Sports)", error);
        Assert.Equal(before, await File.ReadAllTextAsync(_config));
    }

    [Fact]
    public async Task AFileThatIsNotOpmlIsRefused()
    {
        File.WriteAllText(_folder.File("feed.xml"), "<rss version=\"2.0\"><channel/></rss>");

        var (exit, _, error) = await FeedsProcess.RunAsync("import-opml", _folder.File("feed.xml"), "--config", _config);

        Assert.Equal(2, exit);
        Assert.Contains("not OPML", error);
    }

    [Fact]
    public async Task ExportListsEverySourceUnderItsSectionAndReimportsAsNothingNew()
    {
        var (exit, _, _) = await FeedsProcess.RunAsync("export-opml", "--output", _folder.File("export.opml"), "--config", _config);
        var (_, output, _) = await FeedsProcess.RunAsync("import-opml", _folder.File("export.opml"), "--config", _config);

        Assert.Equal(0, exit);
        using var stream = File.OpenRead(_folder.File("export.opml"));
        var feeds = Opml.ReadFeeds(stream);
        Assert.Equal([("Technology", "http://gadgetlab.example.com/feed"), ("International", "https://wire.example.com/rss")],
            feeds.Select(f => (f.Folder!, f.XmlUrl.AbsoluteUri)).OrderByDescending(f => f.Item1));
        Assert.Contains("added 0 source(s), skipped 2 already present", output);
        Assert.NotNull(JsonNode.Parse(await File.ReadAllTextAsync(_config)));
    }
}
