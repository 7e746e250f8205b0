using System.Text;
using Feeds.Core.Parsing;
using Feeds.Core.Refreshing;

namespace Feeds.Tests.Refreshing;

/// <summary>The publisher's hints as the parser reads them off the channel, and the least interval they ask for.</summary>
public sealed class PublisherHintsTests
{
    private const string Sy = "xmlns:sy=\"http://purl.org/rss/1.0/modules/syndication/\"";

    [Theory]
    [InlineData("<rss version=\"2.0\"><channel><ttl>60</ttl></channel></rss>", 60)]
    [InlineData($"<rss version=\"2.0\" {Sy}><channel><sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency></channel></rss>", 30)]
    [InlineData($"<rss version=\"2.0\" {Sy}><channel><sy:updatePeriod>daily</sy:updatePeriod></channel></rss>", 1440)]
    [InlineData($"<rss version=\"2.0\" {Sy}><channel><sy:updateFrequency>4</sy:updateFrequency></channel></rss>", 360)]
    [InlineData($"<rss version=\"2.0\" {Sy}><channel><ttl>90</ttl><sy:updatePeriod>hourly</sy:updatePeriod></channel></rss>", 90)]
    [InlineData($"<rss version=\"2.0\" {Sy}><channel><ttl>30</ttl><sy:updatePeriod>HOURLY</sy:updatePeriod></channel></rss>", 60)]
    [InlineData($"<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\" {Sy}><channel><sy:updatePeriod>weekly</sy:updatePeriod></channel><item><title>t</title></item></rdf:RDF>", 10080)]
    // The channel's elements may follow its items (RSS 2.0 fixes no order).
    [InlineData("<rss version=\"2.0\"><channel><item><title>t</title></item><ttl>45</ttl></channel></rss>", 45)]
    // An item's ttl is not the channel's.
    [InlineData("<rss version=\"2.0\"><channel><item><ttl>60</ttl></item></channel></rss>", null)]
    [InlineData("<rss version=\"2.0\"><channel><ttl>soon</ttl></channel></rss>", null)]
    [InlineData("<rss version=\"2.0\"><channel><ttl>0</ttl></channel></rss>", null)]
    [InlineData($"<rss version=\"2.0\" {Sy}><channel><sy:updatePeriod>fortnightly</sy:updatePeriod></channel></rss>", null)]
    [InlineData($"<rss version=\"2.0\" {Sy}><channel><sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>never</sy:updateFrequency></channel></rss>", null)]
    // A hint in another namespace is another element.
    [InlineData("<rss version=\"2.0\" xmlns:x=\"urn:x\"><channel><x:updatePeriod>weekly</x:updatePeriod></channel></rss>", null)]
    // The prefix written without its declaration, as some feeds do, still means the module.
    [InlineData("<rss version=\"2.0\"><channel><sy:updatePeriod>weekly</sy:updatePeriod></channel></rss>", 10080)]
    [InlineData("<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title></feed>", null)]
    [InlineData($"<feed xmlns=\"http://www.w3.org/2005/Atom\" {Sy}><title>t</title><sy:updatePeriod>hourly</sy:updatePeriod><entry><title>e</title></entry></feed>", 60)]
    [InlineData("{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"t\",\"items\":[]}", null)]
    // A truncated document keeps what was read.
    [InlineData("<rss><channel><ttl>60</ttl>", 60)]
    public void TheChannelsMinimumIntervalIsTheLongestItAsksFor(string feed, int? expectedMinutes) =>
        Assert.Equal(expectedMinutes is null ? null : TimeSpan.FromMinutes(expectedMinutes.Value),
            PublisherHints.MinimumInterval(FeedParser.Parse(Encoding.UTF8.GetBytes(feed)).Channel));

    [Fact]
    public void TheParserKeepsTheHintsAsWrittenForTheScheduleToJudge()
    {
        var channel = FeedParser.Parse(Encoding.UTF8.GetBytes(
            $"<rss version=\"2.0\" {Sy}><channel><ttl> soon </ttl><sy:updatePeriod>Fortnightly</sy:updatePeriod><sy:updateFrequency>3</sy:updateFrequency></channel></rss>")).Channel;

        Assert.Equal(("soon", "Fortnightly", "3"), (channel.Ttl, channel.UpdatePeriod, channel.UpdateFrequency));
        Assert.Null(PublisherHints.MinimumInterval(channel));
    }
}
