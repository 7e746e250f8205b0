using Feeds.Service.Hosting;

namespace Feeds.Tests.Hosting;

public sealed class MemoryTrimPolicyTests
{
    private const long Mb = 1024 * 1024;

    [Fact]
    public void SlackIsWhatIsCommittedBeyondTheLiveObjects()
    {
        // The 20,000-source service after its ingest: 238 MB committed, a 230 MB heap with 106 MB of it free space.
        Assert.Equal(114 * Mb, MemoryTrimPolicy.Slack(committedBytes: 238 * Mb, heapSizeBytes: 230 * Mb, fragmentedBytes: 106 * Mb));
    }

    [Theory]
    [InlineData(5, 114, true)] // quiet after a burst that left slack: trimmed
    [InlineData(500, 114, false)] // busy: its own collections keep the heap in step
    [InlineData(5, 20, false)] // quiet, but little to give back (just after a trim)
    [InlineData(64, 114, false)] // the quiet limit is a strict one
    [InlineData(5, 64, true)] // the slack limit is not
    public void ATrimNeedsAQuietMinuteAndSlackWorthAFullCollection(long allocatedMb, long slackMb, bool trims)
    {
        Assert.Equal(trims, MemoryTrimPolicy.ShouldTrim(allocatedMb * Mb, slackMb * Mb));
    }
}
