using Feeds.Core.Refreshing;
using Microsoft.Extensions.Time.Testing;

namespace Feeds.Tests.Refreshing;

public sealed class OutageDetectorTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));

    [Theory]
    [InlineData(2, 0, false)]   // two hosts down: could be theirs
    [InlineData(3, 0, true)]    // three hosts down and nothing answers: ours
    [InlineData(9, 1, false)]   // one in ten answers: the network works
    [InlineData(10, 1, true)]
    [InlineData(30, 5, false)]
    public void AnOutageIsWhenSeveralHostsAreUnreachableAndAlmostNoneAnswer(int unreachable, int reached, bool networkWide)
    {
        var detector = new OutageDetector(_clock);
        for (var i = 0; i < unreachable; i++)
            detector.Record($"down{i}.example", reached: false);
        for (var i = 0; i < reached; i++)
            detector.Record($"up{i}.example", reached: true);

        Assert.Equal(networkWide, detector.LooksNetworkWide());
    }

    [Fact]
    public void OutcomesOlderThanTheWindowAreForgotten()
    {
        var detector = new OutageDetector(_clock);
        foreach (var host in new[] { "a.example", "b.example", "c.example" })
            detector.Record(host, reached: false);

        _clock.Advance(OutageDetector.Window + TimeSpan.FromSeconds(1));

        Assert.False(detector.LooksNetworkWide());
    }

    [Fact]
    public void AHostThatAnswersAgainCountsAsReached()
    {
        var detector = new OutageDetector(_clock);
        foreach (var host in new[] { "a.example", "b.example", "c.example" })
            detector.Record(host, reached: false);

        detector.Record("a.example", reached: true);

        Assert.False(detector.LooksNetworkWide());
    }
}
