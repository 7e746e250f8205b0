using System.Text;
using Feeds.Core.Parsing;
using Xunit;

namespace Feeds.Tests.Parsing;

public class FeedDecoderTests
{
    private const string Title = "Café “quoted” €";

    private static byte[] Feed(Encoding encoding, string declaration, bool bom = false)
    {
        var text = $"{declaration}<rss version=\"2.0\"><channel><title>{Title}</title></channel></rss>";
        var body = encoding.GetBytes(text);
        return bom ? [.. encoding.GetPreamble(), .. body] : body;
    }

    private static string? TitleOf(byte[] bytes) => FeedParser.Parse(bytes).Channel.Title?.Value;

    [Theory]
    [InlineData("utf-8", true)]
    [InlineData("utf-16LE", true)]
    [InlineData("utf-16BE", true)]
    [InlineData("utf-32LE", true)]
    [InlineData("utf-16LE", false)]
    [InlineData("utf-16BE", false)]
    public void UnicodeIsRecognisedByItsByteOrderMarkOrByHowTheDeclarationIsSpelled(string encodingName, bool bom)
    {
        var encoding = Encoding.GetEncoding(encodingName);
        Assert.Equal(Title, TitleOf(Feed(encoding, "<?xml version=\"1.0\"?>", bom)));
    }

    [Fact]
    public void ADocumentIsReadAloneWhateverWasReadBefore()
    {
        // Text is decoded into pooled buffers: a cut-off document read after a longer one (same buffer size) must end
        // where its own bytes end, not run on into what the longer one left behind.
        const string cutOff = "<rss version=\"2.0\"><channel><title>Cut off</title><description>It ends here";
        const string longer = cutOff + "</description><item><title>Left over</title></item></channel></rss>";
        FeedParser.Parse(Encoding.UTF8.GetBytes(longer));

        var feed = FeedParser.Parse(Encoding.UTF8.GetBytes(cutOff));

        Assert.Empty(feed.Entries);
        Assert.Equal("It ends here", feed.Channel.Description?.Value);
    }

    [Fact]
    public void AByteOrderMarkWinsOverTheDeclaration()
    {
        Assert.Equal(Title, TitleOf(Feed(new UTF8Encoding(true), "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>", bom: true)));
    }

    [Theory]
    [InlineData("windows-1252", "Café “quoted” €")]
    [InlineData("iso-8859-15", "Café €")]
    [InlineData("koi8-r", "Привет")]
    [InlineData("windows-1251", "Привет")]
    [InlineData("shift_jis", "日本語")]
    [InlineData("cp437", "Café ñ")]
    [InlineData("IBM850", "Café ñ")]
    public void LegacyEncodingsAreReadFromTheDeclaration(string declared, string title)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var encoding = FeedDecoder.ByName(declared)!;
        var bytes = encoding.GetBytes($"<?xml version=\"1.0\" encoding=\"{declared}\"?><rss version=\"2.0\"><channel><title>{title}</title></channel></rss>");
        Assert.Equal(title, TitleOf(bytes));
    }

    [Fact]
    public void BytesInvalidInTheDeclaredEncodingAreReadAsWindows1252()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var bytes = Encoding.GetEncoding(1252).GetBytes($"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>{Title}</title></channel></rss>");
        Assert.Equal(Title, TitleOf(bytes));
    }

    [Fact]
    public void Latin1MeansWindows1252AsInBrowsers()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var bytes = Encoding.GetEncoding(1252).GetBytes("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><title>don’t</title></channel></rss>");
        Assert.Equal("don’t", TitleOf(bytes));
    }

    // RFC 7303 §3: a byte order mark, then the HTTP charset, then the XML declaration.

    [Fact]
    public void TheHttpCharsetWinsOverTheDeclaration()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var bytes = Encoding.GetEncoding("koi8-r").GetBytes("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>Привет</title></channel></rss>");
        Assert.Equal("Привет", FeedParser.Parse(bytes, httpCharset: "koi8-r").Channel.Title?.Value);
    }

    [Fact]
    public void AByteOrderMarkWinsOverTheHttpCharset()
    {
        var bytes = Feed(new UTF8Encoding(true), "<?xml version=\"1.0\"?>", bom: true);
        Assert.Equal(Title, FeedParser.Parse(bytes, httpCharset: "iso-8859-1").Channel.Title?.Value);
    }

    [Theory]
    [InlineData("x-no-such-charset")]
    [InlineData("utf-16")] // 8-bit bytes: the header is wrong
    [InlineData("")]
    public void AnUnusableHttpCharsetLeavesTheDeclarationInCharge(string charset)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var bytes = Encoding.GetEncoding("windows-1251").GetBytes("<?xml version=\"1.0\" encoding=\"windows-1251\"?><rss version=\"2.0\"><channel><title>Привет</title></channel></rss>");
        Assert.Equal("Привет", FeedParser.Parse(bytes, charset).Channel.Title?.Value);
    }

    [Fact]
    public void SixteenBitTextIsNotReadInAnEightBitHttpCharset()
    {
        Assert.Equal(Title, FeedParser.Parse(Feed(Encoding.Unicode, "<?xml version=\"1.0\"?>"), httpCharset: "iso-8859-1").Channel.Title?.Value);
    }

    [Theory]
    [InlineData("application/rss+xml; charset=windows-1251", "windows-1251")]
    [InlineData("text/xml;charset=\"UTF-8\"", "UTF-8")]
    [InlineData("application/atom+xml", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    [InlineData("not a media type", null)]
    public void TheCharsetIsReadFromTheContentType(string? contentType, string? charset)
    {
        Assert.Equal(charset, FeedParser.CharsetOf(contentType));
    }
}
