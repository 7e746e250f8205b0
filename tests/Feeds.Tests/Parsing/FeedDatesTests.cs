using Feeds.Core.Parsing;

namespace Feeds.Tests.Parsing;

public sealed class FeedDatesTests
{
    [Theory]
    [InlineData("Thu, 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z")]
    [InlineData("Thu, 01 Jan 2004 19:48:21 +0000", "2004-01-01T19:48:21Z")]
    [InlineData("Thu, 01 Jan 2004 14:48:21 EST", "2004-01-01T19:48:21Z")]
    [InlineData("Tue, 24 Nov 2026 09:15:00 -0500", "2026-11-24T14:15:00Z")]
    [InlineData("01 Jan 2004 19:48 GMT", "2004-01-01T19:48:00Z")]
    [InlineData("Mon, 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z")]
    [InlineData("Thursday, 01 January 2004 19:48:21 GMT", "2004-01-01T19:48:21Z")]
    [InlineData("Thu, 01 Jan 04 19:48:21 GMT", "2004-01-01T19:48:21Z")]
    [InlineData("  Thu, 01 Jan 2004 19:48:21 GMT  ", "2004-01-01T19:48:21Z")]
    [InlineData("2003-12-31T10:14:55.123-08:00", "2003-12-31T18:14:55.123Z")]
    [InlineData("2003-12-31T10:14Z", "2003-12-31T10:14:00Z")]
    [InlineData("2003-12-31 10:14:55+0800", "2003-12-31T02:14:55Z")]
    [InlineData("2003-12-31T10:14:55+08", "2003-12-31T02:14:55Z")]
    [InlineData("2003-12-31", "2003-12-31T00:00:00Z")]
    [InlineData("2003-12", "2003-12-01T00:00:00Z")]
    [InlineData("2003", "2003-01-01T00:00:00Z")]
    [InlineData("2003-365", "2003-12-31T00:00:00Z")]
    [InlineData("Thu Jan  1 19:48:21 2004", "2004-01-01T19:48:21Z")]
    [InlineData("Thu Jan 01 14:48:21 EST 2004", "2004-01-01T19:48:21Z")]
    public void ReadsTheDatesFeedsWrite(string text, string expectedUtc) =>
        Assert.Equal(DateTimeOffset.Parse(expectedUtc, System.Globalization.CultureInfo.InvariantCulture), FeedDates.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("Thu, 32 Jan 2004 19:48:21 GMT")]
    [InlineData("2003-13-01")]
    [InlineData("2004-02-30T00:00:00Z")]
    public void UnreadableDatesAreNullNotErrors(string text) => Assert.Null(FeedDates.Parse(text));

    /// <summary>Regression (issue 11): at the ends of DateTime's range the arithmetic threw instead of saying no.</summary>
    [Theory]
    [InlineData("0001-01-01T00:00:00+05:00")]
    [InlineData("Mon, 01 Jan 0001 00:00:00 +1400")]
    [InlineData("9999-12-31T24:00:00Z")]
    [InlineData("9999-12-31T23:59:59-05:00")]
    [InlineData("0000-001")]
    [InlineData("0000-01-01")]
    public void DatesBeyondTheRepresentableRangeAreNullNotErrors(string text) => Assert.Null(FeedDates.Parse(text));

    /// <summary>The parser reads what is written; whether a date is plausible is normalization's call (FeedNormalizer).</summary>
    [Theory]
    [InlineData("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z")]
    [InlineData("9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z")]
    [InlineData("Sat, 01 Jan 1800 00:00:00 GMT", "1800-01-01T00:00:00Z")]
    public void DatesFarFromNowAreStillRead(string text, string expectedUtc) =>
        Assert.Equal(DateTimeOffset.Parse(expectedUtc, System.Globalization.CultureInfo.InvariantCulture), FeedDates.Parse(text));
}
