using System.Globalization;
using Feeds.Core.Parsing;

namespace Feeds.Core.Refreshing;

/// <summary>
/// How often a feed asks to be polled at most, from the hints the parser read off its channel: RSS 2.0 <c>ttl</c>
/// (minutes; https://www.rssboard.org/rss-specification#ltttlgtSubelementOfLtchannelgt) and the RSS Syndication
/// module's <c>sy:updatePeriod</c> / <c>sy:updateFrequency</c> (https://web.resource.org/rss/1.0/modules/syndication/).
/// The parser keeps them as written; what they mean for the schedule is decided here.
/// </summary>
public static class PublisherHints
{
    /// <summary>The longest of the intervals the channel asks for, or null when it asks for none it can be understood to.</summary>
    public static TimeSpan? MinimumInterval(ParsedChannel channel)
    {
        TimeSpan? ttl = int.TryParse(channel.Ttl, NumberStyles.Integer, CultureInfo.InvariantCulture, out var minutes) && minutes > 0
            ? TimeSpan.FromMinutes(minutes)
            : null;
        var syndication = SyndicationInterval(channel.UpdatePeriod, channel.UpdateFrequency);
        return ttl > syndication || syndication is null ? ttl : syndication;
    }

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
