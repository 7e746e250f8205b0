using Feeds.Core.Publishing;
using Feeds.Core.Storage;

namespace Feeds.Tests.Publishing;

/// <summary>The rule of a story's lead (<see cref="StoryLead"/>): the first preferred source's report, else the earliest.</summary>
public sealed class StoryLeadTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private static StoredItem Report(long id, string source, int minutesLater) => new()
    {
        Id = id,
        SourceId = source,
        ItemKey = $"{source}-{id}",
        Title = $"Report {id}",
        PublishedAt = Start.AddMinutes(minutesLater),
        StoredPublishedMs = Start.AddMinutes(minutesLater).ToUnixTimeMilliseconds(),
        UpdatedAt = Start.AddMinutes(minutesLater),
        StoryId = 1,
    };

    private static readonly StoredItem[] Reports = [Report(1, "herald", 0), Report(2, "courier", 40), Report(3, "wire", 95), Report(4, "wire", 120)];

    [Theory]
    [InlineData(new string[0], 1)] // no preference: the earliest
    [InlineData(new[] { "wire" }, 3)] // the preferred source's first report, though it came last
    [InlineData(new[] { "agency", "courier", "wire" }, 2)] // the first preferred source present
    [InlineData(new[] { "agency" }, 1)] // no preferred source reported it: the earliest
    public void TheLeadIsTheFirstPreferredSourcesEarliestReportElseTheEarliest(string[] preferred, long lead)
    {
        Assert.Equal(lead, StoryLead.Of(Reports.Reverse().ToList(), preferred).Id);
    }

    [Fact]
    public void ReportsAtTheSameTimeAreOrderedAsStored()
    {
        Assert.Equal(5, StoryLead.Of([Report(6, "herald", 0), Report(5, "courier", 0)], []).Id);
    }
}
