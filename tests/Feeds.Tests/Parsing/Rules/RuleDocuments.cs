using System.Text;
using Feeds.Core.Normalization;
using Feeds.Core.Parsing;

namespace Feeds.Tests.Parsing.Rules;

/// <summary>Reads the small documents the rule tests write, the way <c>feeds parse</c> reads a file: parsed, then normalized with no origin.</summary>
internal static class RuleDocuments
{
    public static NormalizedFeed Read(string document) => Read(Encoding.UTF8.GetBytes(document));

    public static NormalizedFeed Read(byte[] document) =>
        new FeedNormalizer(new HtmlCleaner(), TimeProvider.System).Normalize(FeedParser.Parse(document), sourceUri: null, EntrySelection.AsWritten);

    public static NormalizedItem ReadItem(string document) => Assert.Single(Read(document).Items);

    /// <summary>An RSS 2.0 channel holding one item made of <paramref name="itemXml"/>, with the module prefixes declared as given.</summary>
    public static string RssItem(string itemXml, string declarations = "") =>
        $"""<rss version="2.0" {declarations}><channel><title>Channel</title><link>http://example.com/</link><item>{itemXml}</item></channel></rss>""";

    /// <summary>The text of an HTML value, as a reader sees it (the way the conformance checker compares them).</summary>
    public static string? TextOf(string? html) => html is null ? null : HtmlCleaner.ToPlainText(html);
}
