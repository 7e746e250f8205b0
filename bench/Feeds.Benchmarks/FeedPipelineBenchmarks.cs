using System.Xml;
using BenchmarkDotNet.Attributes;
using Feeds.Core.Normalization;
using Feeds.Core.Parsing;

namespace Feeds.Benchmarks;

/// <summary>
/// The ingest pipeline's CPU stages over the same bytes, beside a raw <see cref="XmlReader"/> pass as the
/// baseline (issue 3, item 8). Each operation reads the whole workload: one 1,000-item feed, or all 2,000
/// feeds of 20 items.
/// </summary>
[Config(typeof(ThroughputConfig))]
public class FeedPipelineBenchmarks
{
    /// <summary>Where the feeds were "fetched" from: relative links resolve against it, as in a real poll.</summary>
    private static readonly Uri SourceUri = new("https://feeds.example.net/feed.xml");

    private static readonly XmlReaderSettings SafeXml = new()
    {
        DtdProcessing = DtdProcessing.Ignore,
        XmlResolver = null,
        MaxCharactersFromEntities = 1024,
    };

    private readonly HtmlCleaner _cleaner = new();
    private readonly FeedNormalizer _normalizer;
    private byte[][] _feeds = [];
    private IReadOnlyDictionary<string, string>[] _storedHashes = [];
    private FeedText[] _itemHtml = [];

    public FeedPipelineBenchmarks() => _normalizer = new FeedNormalizer(_cleaner, TimeProvider.System);

    [Params("rss-1000.xml", "atom-1000.xml", Corpus.ManyFeeds)]
    public string Workload { get; set; } = "";

    [GlobalSetup]
    public void LoadCorpus()
    {
        _feeds = Corpus.Files(Workload).Select(File.ReadAllBytes).ToArray();
        // What the store holds after the first poll: every item's key with its content hash.
        _storedHashes = _feeds
            .Select(IReadOnlyDictionary<string, string> (bytes) => _normalizer.Identify(FeedParser.Parse(bytes), SourceUri).ToDictionary(e => e.Key, e => e.ContentHash))
            .ToArray();
        _itemHtml = _feeds
            .SelectMany(bytes => FeedParser.Parse(bytes).Entries)
            .SelectMany(entry => new[] { entry.Content, entry.Summary })
            .OfType<FeedText>()
            .Where(text => text.Kind != TextKind.Text)
            .ToArray();
    }

    /// <summary>Every node read by <see cref="XmlReader"/> with the safe settings of DESIGN.md; no strings built, no tree.</summary>
    [Benchmark(Baseline = true)]
    public int RawXmlReader()
    {
        var elements = 0;
        foreach (var bytes in _feeds)
        {
            using var reader = XmlReader.Create(new MemoryStream(bytes, writable: false), SafeXml);
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element)
                    elements++;
            }
        }
        return elements;
    }

    /// <summary>Bytes → <see cref="ParsedFeed"/>: decoding, the tolerant tree, the format reader.</summary>
    [Benchmark]
    public int Parse()
    {
        var entries = 0;
        foreach (var bytes in _feeds)
            entries += FeedParser.Parse(bytes).Entries.Count;
        return entries;
    }

    /// <summary>Parse, then the whole normalization of every item as new: identity, URLs, dates, sanitized HTML.</summary>
    [Benchmark]
    public int ParseAndNormalize()
    {
        var items = 0;
        foreach (var bytes in _feeds)
            items += _normalizer.Normalize(FeedParser.Parse(bytes), SourceUri).Items.Count;
        return items;
    }

    /// <summary>
    /// A 200 response whose items are all unchanged since the last poll: the CPU part of
    /// <c>SourceRefresher.IngestAsync</c>, step for step, with the stored hashes in memory instead of SQLite.
    /// </summary>
    [Benchmark]
    public int RepollUnchanged()
    {
        var normalized = 0;
        for (var i = 0; i < _feeds.Length; i++)
        {
            var (feed, entries) = _normalizer.ParseAndIdentify(_feeds[i], null, SourceUri);
            var known = _storedHashes[i];
            var changed = entries
                .Where(entry => !known.TryGetValue(entry.Key, out var hash) || hash != entry.ContentHash)
                .Select(entry => _normalizer.NormalizeEntry(entry, feed.Channel))
                .ToList();
            _ = _normalizer.DescribeChannel(feed, SourceUri);
            normalized += changed.Count;
        }
        return normalized;
    }

    /// <summary>
    /// Only the sanitizing that <see cref="ParseAndNormalize"/> does for the items (HtmlSanitizer on AngleSharp, via
    /// <see cref="HtmlCleaner"/>): the content and summary of every item, already parsed. Its rate bounds the
    /// normalization rate.
    /// </summary>
    [Benchmark]
    public int SanitizeOnly()
    {
        var characters = 0;
        foreach (var html in _itemHtml)
            characters += _cleaner.Clean(html.Value, SourceUri).Html.Length;
        return characters;
    }
}
