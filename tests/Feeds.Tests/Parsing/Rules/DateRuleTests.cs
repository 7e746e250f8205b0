using System.Globalization;
using Feeds.Core.Parsing;
using static Feeds.Tests.Parsing.Rules.RuleDocuments;

namespace Feeds.Tests.Parsing.Rules;

/// <summary>
/// Rules: RFC 822 §5 dates (RFC 1123 four-digit years, RFC 2822 §4.3 obsolete forms) with every zone of §5.1 in any case,
/// W3C-DTF at each of its six precisions, and the spellings the wild adds; the element a date is in never decides its format.
/// </summary>
public sealed class DateRuleTests
{
    private const string Local = "Thu, 01 Jan 2004 12:00:00";

    [Theory]
    [InlineData("UT", 0)]
    [InlineData("GMT", 0)]
    [InlineData("Z", 0)]
    [InlineData("EST", -5)]
    [InlineData("EDT", -4)]
    [InlineData("CST", -6)]
    [InlineData("CDT", -5)]
    [InlineData("MST", -7)]
    [InlineData("MDT", -6)]
    [InlineData("PST", -8)]
    [InlineData("PDT", -7)]
    // Military letters: RFC 822's values at the ends of the range, RFC 2822's UTC for the letters between.
    [InlineData("A", -1)]
    [InlineData("M", -12)]
    [InlineData("N", 1)]
    [InlineData("Y", 12)]
    [InlineData("B", 0)]
    [InlineData("K", 0)]
    [InlineData("Q", 0)]
    // Beyond RFC 822: names feeds write.
    [InlineData("UTC", 0)]
    [InlineData("AST", -4)]
    [InlineData("ADT", -3)]
    [InlineData("MET", 1)]
    [InlineData("MEST", 2)]
    [InlineData("+0530", 5.5)]
    [InlineData("-0330", -3.5)]
    [InlineData("+05:30", 5.5)]
    [InlineData("GMT+01:00", 1)]
    [InlineData("UTC-5", -5)]
    [InlineData("Etc/GMT", 0)]
    public void EveryRfc822ZoneInAnyCase(string zone, double hours)
    {
        var expected = new DateTimeOffset(2004, 1, 1, 12, 0, 0, TimeSpan.Zero).AddHours(-hours);
        Assert.Equal(expected, FeedDates.Parse($"{Local} {zone}"));
        Assert.Equal(expected, FeedDates.Parse($"{Local} {zone.ToLowerInvariant()}"));
        Assert.Equal(expected, FeedDates.Parse($"{Local.ToUpperInvariant()} {zone}"));
    }

    [Theory]
    [InlineData("Thu, Jan 01 2004 19:48:21 GMT")] // month before the day
    [InlineData("Thu,01 Jan 2004 19:48:21 GMT")] // no space after the comma
    [InlineData("Thursday, 01-January-2004 19:48:21 GMT")]
    [InlineData("01 Jan 04 19:48:21 +0000")]
    [InlineData("Thu, 1 Jan 2004 19:48:21 GMT (Greenwich)")]
    [InlineData("Fri, 01 Jan 2004 19:48:21 GMT")] // the wrong weekday is ignored
    [InlineData("Thu, 01 Jan 2004 19:48:21.250 GMT")]
    public void Rfc822SpellingsSeenInTheWild(string text) =>
        Assert.Equal(new DateTimeOffset(2004, 1, 1, 19, 48, 21, TimeSpan.Zero), FeedDates.Parse(text));

    [Theory]
    [InlineData("01 Jan 2004", "2004-01-01T00:00:00Z")] // a date alone is midnight UTC
    [InlineData("Thu, 01 Jan 2004 19:48 EST", "2004-01-02T00:48:00Z")] // no seconds
    public void Rfc822WithoutItsLaterParts(string text, string utc) =>
        Assert.Equal(DateTimeOffset.Parse(utc, CultureInfo.InvariantCulture), FeedDates.Parse(text));

    [Theory]
    // W3C-DTF's six precisions (https://www.w3.org/TR/NOTE-datetime), with every TZD form.
    [InlineData("1997", "1997-01-01T00:00:00Z")]
    [InlineData("1997-07", "1997-07-01T00:00:00Z")]
    [InlineData("1997-07-16", "1997-07-16T00:00:00Z")]
    [InlineData("1997-07-16T19:20+01:00", "1997-07-16T18:20:00Z")]
    [InlineData("1997-07-16T19:20:30+01:00", "1997-07-16T18:20:30Z")]
    [InlineData("1997-07-16T19:20:30.45+01:00", "1997-07-16T18:20:30.45Z")]
    [InlineData("1997-07-16T19:20:30Z", "1997-07-16T19:20:30Z")]
    [InlineData("1997-07-16T19:20:30-05:00", "1997-07-17T00:20:30Z")]
    // The same in lower case and the ISO 8601 variants feeds write.
    [InlineData("1997-07-16t19:20:30z", "1997-07-16T19:20:30Z")]
    [InlineData("1997-07-16 19:20:30+0100", "1997-07-16T18:20:30Z")]
    [InlineData("1997-07-16T19:20:30+01", "1997-07-16T18:20:30Z")]
    [InlineData("19970716T192030Z", "1997-07-16T19:20:30Z")]
    [InlineData("1997-197", "1997-07-16T00:00:00Z")]
    [InlineData("1997-07-16T19:20:30", "1997-07-16T19:20:30Z")] // no zone: UTC
    public void EveryW3cDtfPrecision(string text, string utc) =>
        Assert.Equal(DateTimeOffset.Parse(utc, CultureInfo.InvariantCulture), FeedDates.Parse(text));

    [Theory]
    [InlineData("pubDate", "")]
    [InlineData("dc:date", "xmlns:dc=\"http://purl.org/dc/elements/1.1/\"")]
    public void TheElementDoesNotDecideTheFormat(string element, string declaration)
    {
        foreach (var text in new[] { "2004-01-01T19:48:21Z", "Thu, 01 Jan 2004 19:48:21 GMT", "thu, 01 jan 2004 14:48:21 est" })
        {
            var item = ReadItem(RssItem($"<{element}>{text}</{element}>", declaration));
            Assert.Equal(new DateTimeOffset(2004, 1, 1, 19, 48, 21, TimeSpan.Zero), item.Published ?? item.Updated);
        }
    }
}
