using System.Globalization;
using System.Xml;

namespace Feeds.Core.Refreshing;

/// <summary>
/// Reads how often a feed asks to be polled at most, from its channel: RSS 2.0 <c>ttl</c> (minutes; RSS Board
/// spec) and the RSS Syndication module's <c>sy:updatePeriod</c> / <c>sy:updateFrequency</c>. Kept apart
/// from the parser, and reading only the channel head, so it costs little and survives parser changes.
/// </summary>
public static class PublisherHints
{
    private const string SyndicationNamespace = "http://purl.org/rss/1.0/modules/syndication/";

    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Ignore,
        XmlResolver = null,
        MaxCharactersFromEntities = 1024,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
    };

    /// <summary>The longest of the intervals the channel asks for, or null when it asks for none.</summary>
    public static TimeSpan? MinimumInterval(byte[] feed)
    {
        TimeSpan? ttl = null;
        string? period = null;
        string? frequency = null;
        string? reading = null;
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(feed, writable: false), Settings);
            while (reader.Read())
            {
                switch (reader.NodeType)
                {
                    // The hints belong to the channel, which comes before the items (or RSS 1.0's sibling items).
                    case XmlNodeType.Element when reader.LocalName is "item" or "entry":
                        return Longest(ttl, SyndicationInterval(period, frequency));
                    case XmlNodeType.Element:
                        reading = (reader.LocalName, reader.NamespaceURI) switch
                        {
                            ("ttl", "") => "ttl",
                            ("updatePeriod", SyndicationNamespace) => "period",
                            ("updateFrequency", SyndicationNamespace) => "frequency",
                            _ => null,
                        };
                        break;
                    case XmlNodeType.Text or XmlNodeType.CDATA when reading is not null:
                        var value = reader.Value.Trim();
                        if (reading == "ttl")
                            ttl = int.TryParse(value, CultureInfo.InvariantCulture, out var minutes) && minutes > 0 ? TimeSpan.FromMinutes(minutes) : null;
                        else if (reading == "period")
                            period = value;
                        else
                            frequency = value;
                        break;
                    case XmlNodeType.EndElement:
                        reading = null;
                        break;
                }
            }
        }
        catch (XmlException)
        {
            // Broken XML is for the parser to judge; what was read before the error still counts.
        }
        return Longest(ttl, SyndicationInterval(period, frequency));
    }

    private static TimeSpan? Longest(TimeSpan? a, TimeSpan? b) => a > b || b is null ? a : b;

    /// <summary>The period divided by the frequency (defaults "daily" and 1, per the module's spec); null when the feed names neither.</summary>
    private static TimeSpan? SyndicationInterval(string? period, string? frequency)
    {
        if (period is null && frequency is null)
            return null;
        TimeSpan? length = (period ?? "daily").ToLowerInvariant() switch
        {
            "hourly" => TimeSpan.FromHours(1),
            "daily" => TimeSpan.FromDays(1),
            "weekly" => TimeSpan.FromDays(7),
            "monthly" => TimeSpan.FromDays(30),
            "yearly" => TimeSpan.FromDays(365),
            _ => null,
        };
        var times = frequency is null ? 1 : int.TryParse(frequency, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 0;
        return length is { } l && times > 0 ? l / times : null;
    }
}
