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
    [InlineData(5, 114, 238, 0, true)] // quiet after a burst that left slack: trimmed
    [InlineData(500, 114, 238, 0, false)] // busy: its own collections keep the heap in step
    [InlineData(5, 20, 238, 0, false)] // quiet, but little to give back
    [InlineData(64, 114, 238, 0, false)] // the quiet limit is a strict one
    [InlineData(5, 64, 238, 0, true)] // the slack limit is not
    [InlineData(5, 64, 141, 141, false)] // what the last trim left is the GC's working room: not trimmed again and again
    [InlineData(5, 120, 260, 141, true)] // a later burst grew the heap again: trimmed again
    public void ATrimNeedsAQuietMinuteAndSlackWorthAFullCollectionAndGrowthSinceTheLastOne(
        long allocatedMb, long slackMb, long committedMb, long committedAfterLastTrimMb, bool trims)
    {
        Assert.Equal(trims, MemoryTrimPolicy.ShouldTrim(allocatedMb * Mb, slackMb * Mb, committedMb * Mb, committedAfterLastTrimMb * Mb));
    }

    [Theory]
    [InlineData(5, false, true)] // the first quiet minute after a busy one
    [InlineData(5, true, false)] // still quiet: nothing new was freed
    [InlineData(500, false, false)] // still busy
    [InlineData(500, true, false)] // a burst begins
    public void TheCHeapIsTrimmedInTheFirstQuietMinuteAfterABusyOne(long allocatedMb, bool quietBefore, bool trims)
    {
        Assert.Equal(trims, MemoryTrimPolicy.ShouldTrimNativeHeap(allocatedMb * Mb, quietBefore));
    }

    [Fact]
    public void GlibcTakesTheArenaCapUnlessTheEnvironmentSetsOne()
    {
        // The test machines run glibc; where there is none (Windows, macOS) nothing is asked of the C library.
        var expected = OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is null;
        Assert.Equal(expected, NativeHeap.LimitArenas());
    }
}
