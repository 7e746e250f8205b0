using System.Text;
using Feeds.Core.Refreshing;

namespace Feeds.Tests.Refreshing;

public sealed class PublisherHintsTests
{
    private const string Sy = "xmlns:sy=\"http://purl.org/rss/1.0/modules/syndication/\"";

    [Theory]
    [InlineData("<rss version=\"2.0\"><channel><ttl>60</ttl></channel></rss>", 60)]
    [InlineData($"<rss version=\"2.0\" {Sy}><channel><sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency></channel></rss>", 30)]
    [InlineData($"<rss version=\"2.0\" {Sy}><channel><sy:updatePeriod>daily</sy:updatePeriod></channel></rss>", 1440)]
    [InlineData($"<rss version=\"2.0\" {Sy}><channel><sy:updateFrequency>4</sy:updateFrequency></channel></rss>", 360)]
    [InlineData($"<rss version=\"2.0\" {Sy}><channel><ttl>90</ttl><sy:updatePeriod>hourly</sy:updatePeriod></channel></rss>", 90)]
    [InlineData($"<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" {Sy}><channel><sy:updatePeriod>weekly</sy:updatePeriod></channel></rdf:RDF>", 10080)]
    [InlineData("<rss version=\"2.0\"><channel><item><ttl>60</ttl></item></channel></rss>", null)]
    [InlineData("<rss version=\"2.0\"><channel><ttl>soon</ttl></channel></rss>", null)]
    [InlineData($"<rss version=\"2.0\" {Sy}><channel><sy:updatePeriod>fortnightly</sy:updatePeriod></channel></rss>", null)]
    [InlineData("<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title></feed>", null)]
    [InlineData("<rss><channel><ttl>60</ttl>", 60)]
    [InlineData("not xml at all", null)]
    public void TheChannelsMinimumIntervalIsTheLongestItAsksFor(string feed, int? expectedMinutes) =>
        Assert.Equal(expectedMinutes is null ? null : TimeSpan.FromMinutes(expectedMinutes.Value), PublisherHints.MinimumInterval(Encoding.UTF8.GetBytes(feed)));
}
