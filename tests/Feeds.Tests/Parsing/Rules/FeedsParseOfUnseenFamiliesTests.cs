using System.Text;
using System.Text.Json;
using Feeds.Tests.Support;

namespace Feeds.Tests.Parsing.Rules;

/// <summary>
/// The rules where a user meets them: the built <c>feeds parse --dir</c>, the command the conformance checker runs,
/// over a folder of documents of the families the rule tests cover, one JSON line per file.
/// </summary>
public sealed class FeedsParseOfUnseenFamiliesTests
{
    [Fact]
    public async Task ParseDirReadsEachFamilyAsItsRuleSays()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("entry.atom"), """
            <?xml version="1.0" encoding="utf-8"?>
            <entry xmlns="http://www.w3.org/2005/Atom"><id>urn:uuid:7</id><title>Lone entry</title><updated>2024-05-01T10:00:00+02:00</updated></entry>
            """);
        File.WriteAllBytes(folder.File("mixed.rss"), Encoding.UTF8.GetBytes("""
            <rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
            <channel><title>Show</title><itunes:image href="http://example.com/show.jpg"/>
            <item><title>Café: it~s here</title><atom:content>&lt;p&gt;Body&lt;/p&gt;</atom:content><description>Teaser</description>
            <pubDate>thu, 01 jan 2004 14:48:21 est</pubDate><itunes:category text="News"><itunes:category text="Daily"/></itunes:category></item>
            </channel></rss>
            """).Select(b => b == (byte)'~' ? (byte)0x92 : b).ToArray()); // a windows-1252 apostrophe among UTF-8

        var (exit, output, _) = await FeedsProcess.RunAsync("parse", "--dir", folder.Path);

        Assert.Equal(0, exit);
        var results = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(l => l.GetProperty("file").GetString()!, l => l.GetProperty("result"));

        var entry = results["entry.atom"];
        Assert.Equal("atom10", entry.GetProperty("format").GetString());
        var lone = Assert.Single(entry.GetProperty("items").EnumerateArray());
        Assert.Equal(("urn:uuid:7", "Lone entry", "2024-05-01T08:00:00Z"),
            (lone.GetProperty("id").GetString(), lone.GetProperty("title").GetString(), lone.GetProperty("updated").GetString()));

        var show = results["mixed.rss"];
        Assert.Equal("http://example.com/show.jpg", show.GetProperty("feed").GetProperty("image").GetString());
        var item = Assert.Single(show.GetProperty("items").EnumerateArray());
        Assert.Equal("Caf\u00e9: it\u2019s here", item.GetProperty("title").GetString());
        Assert.Equal("Teaser", item.GetProperty("summary").GetString());
        Assert.Equal("<p>Body</p>", item.GetProperty("content").GetString());
        Assert.Equal("2004-01-01T19:48:21Z", item.GetProperty("published").GetString());
        Assert.Equal(["News", "Daily"], item.GetProperty("categories").EnumerateArray().Select(c => c.GetString()));
    }
}
