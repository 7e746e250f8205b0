using Feeds.Core.Normalization;
using Feeds.Core.Storage;
using Feeds.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Feeds.Tests.Stories;

/// <summary>
/// How well stories are told apart, measured on the labelled corpus (<see cref="LabelledReport"/>): every report is saved
/// into a real SQLite store as a poll of its source, in the order the reports were published, so each is placed by the
/// same incremental clustering a running service does; then every pair of reports is scored, placed together or
/// apart against labelled together or apart. Set <c>FEEDS_STORY_CORPUS</c> to a folder of <c>.jsonl</c> files in the same
/// form to measure another labelled set, and <c>FEEDS_STORY_OVERLAID=1</c> to tell its files at once
/// (<see cref="LabelledReport.LoadOverlaid"/>).
/// </summary>
public sealed class StoryClusteringQualityTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const double RequiredPrecision = 0.95, RequiredRecall = 0.85;
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private TempStore _store = null!;

    public async Task InitializeAsync() => _store = await TempStore.CreateAsync(new FakeTimeProvider(Now));

    public Task DisposeAsync()
    {
        _store.Dispose();
        return Task.CompletedTask;
    }

    private static string CorpusFolder => Environment.GetEnvironmentVariable("FEEDS_STORY_CORPUS") is { Length: > 0 } folder ? folder : TestFiles.TestData("Stories");

    [Fact]
    public void TheCorpusHasEnoughReportsStoriesAndSources()
    {
        var reports = LabelledReport.Load(TestFiles.TestData("Stories"));

        Assert.True(reports.Count >= 300, $"{reports.Count} reports");
        Assert.True(reports.Select(r => r.Story).Distinct().Count() >= 60, "fewer than 60 stories");
        // A story is told once per source: two reports of one source are never expected together (SameStory.Likeness).
        Assert.Empty(reports.GroupBy(r => (r.Story, r.Source)).Where(g => g.Count() > 1).Select(g => g.Key));
    }

    [Fact]
    public async Task ReportsOfOneEventShareAStoryAndReportsOfOthersDoNot()
    {
        var reports = (Environment.GetEnvironmentVariable("FEEDS_STORY_OVERLAID") == "1" ? LabelledReport.LoadOverlaid(CorpusFolder) : LabelledReport.Load(CorpusFolder))
            .OrderBy(r => r.Published).ToList();
        Assert.NotEmpty(reports);

        for (var i = 0; i < reports.Count; i++)
            await SaveAsync(reports[i], i);
        var storyOf = new Dictionary<string, long>();
        foreach (var source in reports.Select(r => r.Source).Distinct())
        {
            foreach (var item in await _store.Publishing.GetItemsAsync([source], ItemCursor.Newest, 100_000, CancellationToken.None))
                storyOf[item.ItemKey] = item.StoryId;
        }
        var keyed = reports.Select((report, i) => (report, key: Key(i))).ToList();
        var score = PairwiseScore.Of(keyed, r => r.report.Story, r => storyOf[r.key]);

        output.WriteLine($"{reports.Count} reports of {reports.Select(r => r.Story).Distinct().Count()} stories, " +
            $"{storyOf.Values.Distinct().Count()} stories found: {score}");
        foreach (var wrong in keyed.GroupBy(r => storyOf[r.key]).Where(g => g.Select(r => r.report.Story).Distinct().Count() > 1))
            output.WriteLine("joined: " + string.Join(" | ", wrong.Select(r => $"{r.report.Story}: {r.report.Title}")));
        foreach (var split in keyed.GroupBy(r => r.report.Story).Where(g => g.Select(r => storyOf[r.key]).Distinct().Count() > 1))
            output.WriteLine($"split: {split.Key}: " + string.Join(" | ", split.Select(r => $"[{storyOf[r.key]}] {r.report.Source}: {r.report.Title}")));
        Assert.True(score.Precision >= RequiredPrecision, $"precision: {score}");
        Assert.True(score.Recall >= RequiredRecall, $"recall: {score}");
    }

    private static string Key(int index) => $"report-{index}";

    private Task<SaveResult> SaveAsync(LabelledReport report, int index) =>
        _store.Polls.SavePollAsync(new SourceState { SourceId = report.Source, Url = $"https://{report.Source}.example.com/rss" },
            [new NormalizedItem
            {
                Key = Key(index),
                ContentHash = Key(index),
                Title = report.Title,
                Link = $"https://{report.Source}.example.com/news/{index}",
                SummaryText = report.Lede,
                Published = report.Published,
            }.WithStoryKeys()],
            CancellationToken.None);
}
