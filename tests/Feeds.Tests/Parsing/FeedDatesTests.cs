using Feeds.Core.Parsing;
using Xunit;

namespace Feeds.Tests.Parsing;

public class FeedDatesTests
{
    [Theory]
    [InlineData("Thu, 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z")]
    [InlineData("Thu, 01 Jan 2004 19:48:21 EST", "2004-01-02T00:48:21Z")]
    [InlineData("Thu, 01 Jan 04 19:48:21 +0000", "2004-01-01T19:48:21Z")]
    [InlineData("01 Jan 2004 19:48 PDT", "2004-01-02T02:48:00Z")]
    [InlineData("Monday, 01 January 2004 19:48:21 GMT", "2004-01-01T19:48:21Z")]
    [InlineData("  Thu, 01 Jan 2004 19:48:21 GMT  ", "2004-01-01T19:48:21Z")]
    [InlineData("2003-12-31T10:14:55.123-08:00", "2003-12-31T18:14:55.123Z")]
    [InlineData("2003-12-31T10:14Z", "2003-12-31T10:14:00Z")]
    [InlineData("2003-12-31 10:14:55+0800", "2003-12-31T02:14:55Z")]
    [InlineData("2003-12-31", "2003-12-31T00:00:00Z")]
    [InlineData("2003-12", "2003-12-01T00:00:00Z")]
    [InlineData("2003", "2003-01-01T00:00:00Z")]
    [InlineData("2003-365", "2003-12-31T00:00:00Z")]
    [InlineData("Thu Jan  1 19:48:21 2004", "2004-01-01T19:48:21Z")]
    [InlineData("Thu Jan 01 19:48:21 EST 2004", "2004-01-02T00:48:21Z")]
    public void ReadsEveryDateFormatFeedsWrite(string text, string expectedUtc)
    {
        Assert.Equal(DateTimeOffset.Parse(expectedUtc, System.Globalization.CultureInfo.InvariantCulture), FeedDates.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("2004-13-45")]
    [InlineData("Thu, 32 Foo 2004 25:61:00 GMT")]
    public void AnUnreadableDateIsNullNeverAnError(string text)
    {
        Assert.Null(FeedDates.Parse(text));
    }
}
