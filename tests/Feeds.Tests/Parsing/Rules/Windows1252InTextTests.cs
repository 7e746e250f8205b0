using System.Text;
using static Feeds.Tests.Parsing.Rules.RuleDocuments;

namespace Feeds.Tests.Parsing.Rules;

/// <summary>
/// Rule: windows-1252's punctuation reaches us three ways besides a windows-1252 document: as C1 control characters
/// (U+0080–U+009F, which no text means) in a UTF-8 or ISO-8859 document, as a character reference to one
/// (<c>&amp;#146;</c>, HTML's rule), or as raw windows-1252 bytes inside an otherwise UTF-8 document. Each is read as the
/// windows-1252 character, and the document's real UTF-8 text is kept.
/// </summary>
public sealed class Windows1252InTextTests
{
    private static readonly Encoding Windows1252 = CodePages(1252);

    private static Encoding CodePages(int codePage)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(codePage);
    }

    /// <summary>Each windows-1252 byte 0x80–0x9F that stands for a character, written as the C1 control of the same number.</summary>
    public static TheoryData<byte> DefinedBytes()
    {
        var data = new TheoryData<byte>();
        foreach (var b in Enumerable.Range(0x80, 32).Where(b => b is not (0x81 or 0x8D or 0x8F or 0x90 or 0x9D)))
            data.Add((byte)b);
        return data;
    }

    [Theory]
    [MemberData(nameof(DefinedBytes))]
    public void AC1ControlInAUtf8DocumentIsTheWindows1252Character(byte code)
    {
        var expected = Windows1252.GetString([code]);
        var document = $"<?xml version=\"1.0\" encoding=\"utf-8\"?>{RssItem($"<description>a{(char)code}b</description>")}";
        Assert.Equal($"a{expected}b", TextOf(ReadItem(document).Summary));
    }

    [Theory]
    [InlineData("iso-8859-1")]
    [InlineData("ISO-8859-15")]
    [InlineData("iso-8859-2")]
    public void ARawByteInAnIso8859DocumentIsTheWindows1252Character(string charset)
    {
        // 0x93 and 0x94 are C1 controls in every ISO-8859 part; the author meant windows-1252's quotes.
        var document = Encoding.ASCII.GetBytes($"<?xml version=\"1.0\" encoding=\"{charset}\"?>" + RssItem("<description>said #hi$</description>"))
            .Select(b => b switch { (byte)'#' => (byte)0x93, (byte)'$' => (byte)0x94, _ => b }).ToArray();
        Assert.Equal("said \u201Chi\u201D", TextOf(Assert.Single(Read(document).Items).Summary));
    }

    [Theory]
    [InlineData("&#146;", "\u2019")]
    [InlineData("&#x93;", "\u201C")]
    [InlineData("&#X96;", "\u2013")]
    [InlineData("&#128;", "\u20AC")]
    [InlineData("&amp;#151;", "\u2014")] // escaped once more inside the HTML of a description
    public void AReferenceToAC1CodeIsTheWindows1252Character(string reference, string expected) =>
        Assert.Equal($"a{expected}b", TextOf(ReadItem(RssItem($"<description>a{reference}b</description>")).Summary));

    [Fact]
    public void StrayWindows1252BytesInAUtf8DocumentKeepTheUtf8TextAroundThem()
    {
        var utf8 = Encoding.UTF8.GetBytes(RssItem("<title>Café ~it#s~ ok</title><description>naïve — ~quoted~</description>"));
        var document = utf8.Select(b => b switch { (byte)'~' => (byte)0x94, (byte)'#' => (byte)0x92, _ => b }).ToArray();

        var item = Assert.Single(Read(document).Items);

        Assert.Equal("Café \u201Dit\u2019s\u201D ok", item.Title);
        Assert.Equal("naïve — \u201Dquoted\u201D", TextOf(item.Summary));
    }

    [Fact]
    public void AWindows1252DocumentWithNoDeclarationIsStillReadWhole()
    {
        var document = Windows1252.GetBytes(RssItem("<title>\u201CSmart\u201D \u2013 caf\u00E9 \u20AC5</title>"));
        Assert.Equal("\u201CSmart\u201D \u2013 caf\u00E9 \u20AC5", Assert.Single(Read(document).Items).Title);
    }
}
