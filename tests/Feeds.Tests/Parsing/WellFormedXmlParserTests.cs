using System.Text;
using System.Text.Json;
using Feeds.Core.Parsing;

namespace Feeds.Tests.Parsing;

/// <summary>
/// The fast path (<see cref="WellFormedXmlParser"/>) must build exactly the tree the tolerant parser builds, or
/// step aside: these tests hold the two together over every shared conformance case and the constructs where
/// XmlReader and the tolerant parser read the same text differently.
/// </summary>
public class WellFormedXmlParserTests
{
    private static readonly JsonSerializerOptions DumpOptions = new() { MaxDepth = 4 * TolerantXmlParser.MaxDepth };

    [Fact]
    public void EveryConformanceCaseTheFastPathAcceptsGetsTheTolerantTree()
    {
        var cases = Path.GetFullPath(Path.Combine(ConformanceTests.RepositoryRoot(), "..", "shared", "conformance", "cases"));
        Assert.True(Directory.Exists(cases), $"the shared conformance cases are expected at {cases} (shared/ beside the repository)");
        var documents = Directory.EnumerateFiles(cases, "*", SearchOption.AllDirectories)
            .Where(file => File.Exists(Path.ChangeExtension(file, ".expected.json")) && !file.EndsWith(".json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        var accepted = 0;
        var different = new List<string>();
        foreach (var file in documents)
        {
            var text = FeedDecoder.Decode(File.ReadAllBytes(file));
            if (text.AsSpan().TrimStart() is ['{' or '[', ..])
                continue; // JSON Feed: no XML tree
            var fast = Outcome(() => WellFormedXmlParser.TryParse(text));
            if (fast is null)
                continue;
            accepted++;
            if (fast != Outcome(() => TolerantXmlParser.Parse(text)))
                different.Add(Path.GetRelativePath(cases, file));
        }
        Assert.Empty(different);
        // The comparison means something only if the fast path takes most cases (569 of 650 when written; the rest are ill-formed on purpose).
        Assert.True(accepted >= documents.Count * 3 / 4, $"the fast path accepted only {accepted} of {documents.Count} cases");
    }

    [Theory]
    [InlineData("<rss>\r\n<channel>\r\n<title>A\r\nB</title></channel></rss>")]
    [InlineData("<feed xmlns='http://www.w3.org/2005/Atom'><title type='x\ty\nz'>T</title></feed>")]
    [InlineData("<rss><channel><title>a<!-- note -->b<![CDATA[<c>]]>d<?pi x?>e</title></channel></rss>")]
    [InlineData("<?xml version='1.0' encoding='windows-1252'?>\n<!DOCTYPE rss PUBLIC \"-//Netscape Communications//DTD RSS 0.91//EN\" \"http://my.netscape.com/publish/formats/rss-0.91.dtd\">\n<rss version='0.91'><channel/></rss>")]
    [InlineData("<feed xmlns='http://www.w3.org/2005/Atom/' xmlns:X='http://purl.org/dc/elements/1.1' xml:base='http://a/'><X:creator xml:lang='en'>x</X:creator><br/></feed>")]
    [InlineData("<rss><channel><title>&#8217;&#x2019;&lt;&amp;</title></channel></rss> junk <after> the root")]
    [InlineData("<rss xmlns=''><channel xmlns='http://backend.userland.com/rss2'><title>T</title></channel></rss>")]
    public void WellFormedDocumentsGetTheTolerantTree(string xml)
    {
        var fast = Outcome(() => WellFormedXmlParser.TryParse(xml));
        Assert.NotNull(fast);
        Assert.Equal(Outcome(() => TolerantXmlParser.Parse(xml)), fast);
    }

    [Theory]
    [InlineData("<rss><channel><title>Caf&eacute;</title></channel></rss>")] // HTML entity
    [InlineData("<rss><channel><title>don&#146;t</title></channel></rss>")] // C1 reference: windows-1252 to the tolerant parser
    [InlineData("<rss><channel><title>&#0000000065;</title></channel></rss>")] // more than 8 digits: text to the tolerant parser
    [InlineData("<!DOCTYPE rss [<!ENTITY id \"x\">]><rss><channel><title>&id;</title></channel></rss>")] // internal subset
    [InlineData("<!DOCTYPE rss [<!ENTITY x \"]>junk<channel>\">]><rss><channel/></rss>")] // the tolerant parser ends the subset early
    [InlineData("<!DOCTYPE rss SYSTEM \"a>b<x>\"><rss><channel/></rss>")] // the tolerant parser ends the DOCTYPE early
    [InlineData("<rss><channel><description><img>caption</img></description></channel></rss>")] // void element holding text
    [InlineData("<rss><channel><?php echo 'a>b' ?></channel></rss>")] // the tolerant parser ends the PI at '>'
    [InlineData("<rss><channel><title\u0300>x</title\u0300></channel></rss>")] // a name character the tolerant parser stops at
    [InlineData("<rss><channel><title>cut off")]
    [InlineData("<rss><channel><title>a & b</title></channel></rss>")]
    public void DocumentsTheTwoWouldReadApartGoTheTolerantWay(string xml) =>
        Assert.Null(WellFormedXmlParser.TryParse(xml));

    [Fact]
    public void DeepNestingEndsWithTheTolerantParsersErrorOnTheFastPathToo()
    {
        var xml = "<rss>" + string.Concat(Enumerable.Repeat("<div>", 1_000)) + string.Concat(Enumerable.Repeat("</div>", 1_000)) + "</rss>";
        var fast = Assert.Throws<FeedParseException>(() => WellFormedXmlParser.TryParse(xml));
        var tolerant = Assert.Throws<FeedParseException>(() => TolerantXmlParser.Parse(xml));
        Assert.Equal(tolerant.Message, fast.Message);
    }

    [Fact]
    public void AWellFormedFeedIsReadTheSameThroughFeedParser()
    {
        var xml = "<rss version='2.0'><channel><title>T</title><item><title>Café</title><guid>g</guid></item></channel></rss>";
        var feed = FeedParser.Parse(Encoding.UTF8.GetBytes(xml));
        Assert.Equal("Café", Assert.Single(feed.Entries).Title?.Value);
    }

    /// <summary>The whole tree as JSON (or the parse error), so two trees compare as strings; null when the parser stepped aside.</summary>
    private static string? Outcome(Func<FeedElement?> parse)
    {
        try
        {
            return parse() is { } root ? JsonSerializer.Serialize(Shape(root), DumpOptions) : null;
        }
        catch (FeedParseException error)
        {
            return "error: " + error.Message;
        }
    }

    private static object Shape(FeedElement element) => new
    {
        element.QualifiedName,
        element.LocalName,
        element.Namespace,
        element.Declarations,
        Attributes = element.Attributes.Select(a => new[] { a.QualifiedName, a.LocalName, a.Namespace, a.Value }),
        Nodes = element.Nodes.Select(node => node is FeedElement child ? Shape(child) : node),
        ParentIsSet = element.Parent?.Nodes.Contains(element),
    };
}
