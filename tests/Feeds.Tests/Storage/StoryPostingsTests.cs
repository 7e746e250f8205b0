using Feeds.Core.Normalization;
using Feeds.Core.Storage;

namespace Feeds.Tests.Storage;

/// <summary>
/// The choice of the stored reports a new report is compared with (<see cref="StoryPostings.Nearest"/>): a bounded few,
/// those sharing the most of its sought terms, however many stored reports share one of them.
/// </summary>
public sealed class StoryPostingsTests
{
    private static readonly long Noon = new DateTimeOffset(2026, 3, 2, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    private static readonly long Hour = (long)TimeSpan.FromHours(1).TotalMilliseconds;
    private static readonly HashSet<long> NoneExcluded = [];

    [Fact]
    public void AThousandReportsSharingANameGiveOnlyTheFewSharingTheMostTerms()
    {
        // 1,000 reports of the day carry "kyiv"; reports 500 and 501 also carry "irpin", and 501 the figure too.
        var postings = Enumerable.Range(1, 1000).Select(id => new StoryPosting("kyiv", id, Noon - id * 60_000))
            .Append(new StoryPosting("irpin", 500, Noon - 500 * 60_000))
            .Append(new StoryPosting("irpin", 501, Noon - 501 * 60_000))
            .Append(new StoryPosting("1240", 501, Noon - 501 * 60_000));

        var nearest = new StoryPostings(postings).Nearest(["kyiv", "irpin", "1240"], Noon, NoneExcluded, DbStoryIndex.ComparedPerItem);

        Assert.Equal(DbStoryIndex.ComparedPerItem, nearest.Count);
        Assert.Equal([501, 500], nearest.Take(2));
        // Then those sharing one term, the nearest in time first.
        Assert.Equal(Enumerable.Range(1, DbStoryIndex.ComparedPerItem - 2).Select(id => (long)id), nearest.Skip(2));
    }

    [Fact]
    public void ReportsOutsideTheWindowAndExcludedReportsAreNeverChosen()
    {
        var window = (long)SameStory.Window.TotalMilliseconds;
        var postings = new StoryPostings(
        [
            new StoryPosting("irpin", 1, Noon - window - 1), new StoryPosting("irpin", 2, Noon + window + 1),
            new StoryPosting("irpin", 3, Noon - window), new StoryPosting("irpin", 4, Noon + Hour), new StoryPosting("irpin", 5, Noon),
        ]);

        Assert.Equal([4, 3], postings.Nearest(["irpin"], Noon, new HashSet<long> { 5 }, DbStoryIndex.ComparedPerItem));
        Assert.Empty(postings.Nearest(["kyiv"], Noon, NoneExcluded, DbStoryIndex.ComparedPerItem));
    }
}
