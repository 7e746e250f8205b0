using System.Collections;
using System.Net;
using Feeds.Core.Parsing;

namespace Feeds.Core.Normalization;

/// <summary>
/// What relative references of one document resolve against. With an unknown origin (<c>feeds parse</c> of bytes) a
/// reference no base resolves is kept as written (conformance/SCHEMA.md); with a known one (every stored source) it is
/// dropped, so nothing relative is ever stored.
/// </summary>
public sealed record LinkBase(Uri? Uri, bool KeepsUnresolved);

/// <summary>An entry with its identity, fingerprint and plausible dates, before the costly part of normalization.</summary>
/// <param name="Published">The entry's publication date when it lies in the plausible window (<see cref="FeedNormalizer"/>), else null.</param>
/// <param name="Updated">Its update date, on the same terms.</param>
public sealed record IdentifiedEntry(
    ParsedEntry Entry, string Key, string ContentHash, string? Link, LinkBase Base, DateTimeOffset? Published, DateTimeOffset? Updated);

/// <summary>
/// The entries of one document that normalization keeps, in document order: one per identity (<see cref="ItemIdentity"/>),
/// at most <see cref="FeedNormalizer.MaxItemsPerDocument"/>. <see cref="LeftOut"/> says how many distinct items the limit
/// left out, for the caller to log and show on the source's status.
/// </summary>
public sealed class IdentifiedEntries(IReadOnlyList<IdentifiedEntry> kept, int leftOut) : IReadOnlyList<IdentifiedEntry>
{
    /// <summary>Distinct items of the document beyond <see cref="FeedNormalizer.MaxItemsPerDocument"/>, the oldest, not kept.</summary>
    public int LeftOut { get; } = leftOut;

    public int Count => kept.Count;
    public IdentifiedEntry this[int index] => kept[index];
    public IEnumerator<IdentifiedEntry> GetEnumerator() => kept.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Which entries of a document <see cref="FeedNormalizer.Normalize"/> gives.</summary>
public enum EntrySelection
{
    /// <summary>What the store keeps: one entry per identity, at most <see cref="FeedNormalizer.MaxItemsPerDocument"/> (<see cref="FeedNormalizer.Identify"/>).</summary>
    Stored,

    /// <summary>
    /// Every entry in document order, duplicates included: what <c>feeds parse</c> prints, since conformance/SCHEMA.md
    /// describes a document as the reference parser reads it ("items are in document order"), not what we store of it.
    /// </summary>
    AsWritten,
}

/// <summary>
/// Translates a <see cref="ParsedFeed"/> into meaning: identity, absolute http(s) URLs, sanitized HTML,
/// plain-text titles, authors split into parts, the featured image and reading time. The one normalization
/// used by both the store and <c>feeds parse</c>; they differ only in which entries they take (<see cref="EntrySelection"/>)
/// and in relative links of bytes with no origin (<see cref="LinkBase"/>).
/// </summary>
/// <remarks>
/// This is the edge: whatever a source sends, every value that leaves here obeys what later stages assume, and nothing
/// here throws on any input.
/// <list type="bullet">
/// <item>Dates lie in [1970-01-01, now + 1 day]; a date outside is no date (the store then dates the item by when it was
/// first seen and marks that estimated). Year 1, 1800 or 9999 is a publisher's bug, and a date far ahead would pin an
/// item to the top of every section.</item>
/// <item>Text holds only characters XML 1.0 allows, without control characters (<see cref="SafeText"/>): XmlWriter refuses
/// the rest, and readers mangle them.</item>
/// <item>Titles are one line of plain text, no markup, at most <see cref="SafeText.MaxTitleLength"/> characters; other
/// one-line values at most <see cref="SafeText.MaxLineLength"/>.</item>
/// <item>Every URL is absolute http(s), or mailto for a person (<see cref="LinkBase"/> for the one exception).</item>
/// <item>One item per identity, at most <see cref="MaxItemsPerDocument"/> of them.</item>
/// </list>
/// </remarks>
public sealed class FeedNormalizer(HtmlCleaner cleaner, TimeProvider clock)
{
    /// <summary>
    /// The most items kept from one document: the newest by date; undated ones count as older than any dated one (the
    /// store would date them by first sight, which says nothing of their age) and among themselves go by document
    /// order. A real feed carries tens to a few hundred; a document of 100,000 is an archive dump or an attack, its
    /// oldest items would fall to retention right away, and each poll would carry them all.
    /// </summary>
    public const int MaxItemsPerDocument = 10_000;

    /// <summary>The most authors, categories or enclosures kept for one item.</summary>
    public const int MaxValuesPerField = 100;

    private const int WordsPerMinute = 230;
    private const int TeaserLength = 280;

    /// <summary>
    /// The most characters of a title read for its text: its markup is read before it is cut to
    /// <see cref="SafeText.MaxTitleLength"/>, and a title of megabytes must not cost an HTML parse of megabytes.
    /// </summary>
    private const int MaxTitleSourceLength = 32 * SafeText.MaxTitleLength;

    private static readonly DateTimeOffset EarliestDate = DateTimeOffset.UnixEpoch;
    private static readonly TimeSpan LatestDateAhead = TimeSpan.FromDays(1);

    public NormalizedFeed Normalize(ParsedFeed feed, Uri? sourceUri, EntrySelection selection = EntrySelection.Stored)
    {
        var entries = Identify(feed, sourceUri, selection, MaxItemsPerDocument);
        return NormalizeChannel(feed, sourceUri) with { Items = entries.Select(entry => NormalizeEntry(entry, feed.Channel)).ToList() };
    }

    /// <summary>The feed-level fields only, with no items.</summary>
    public NormalizedFeed NormalizeChannel(ParsedFeed feed, Uri? sourceUri)
    {
        var channelBase = ChannelBase(feed.Channel, sourceUri);
        var channel = feed.Channel;
        var (title, link, language) = DescribeChannel(feed, sourceUri);
        var now = clock.GetUtcNow();
        return new NormalizedFeed(
            feed.Format,
            title,
            link,
            channel.Description is { } description ? Html(description, channelBase.Uri).Html : null,
            language,
            Plausible(channel.Updated, now) ?? Plausible(channel.Published, now),
            ResolveUrl(channel.Image, channelBase, SafeText.HttpUrl),
            []);
    }

    /// <summary>What a source's state keeps of its channel, without the cost of sanitizing its description on every poll.</summary>
    public (string? Title, string? Link, string? Language) DescribeChannel(ParsedFeed feed, Uri? sourceUri) =>
        (Title(feed.Channel.Title), ResolveUrl(feed.Channel.Link, ChannelBase(feed.Channel, sourceUri), SafeText.HttpUrl), SafeText.Line(feed.Channel.Language));

    /// <summary>
    /// Keys, fingerprints and plausible dates of the entries kept (one per identity, at most <see cref="MaxItemsPerDocument"/>):
    /// cheap, so unchanged entries can be skipped before sanitizing.
    /// </summary>
    public IdentifiedEntries Identify(ParsedFeed feed, Uri? sourceUri) => Identify(feed, sourceUri, EntrySelection.Stored, MaxItemsPerDocument);

    /// <param name="limit">The most items kept: <see cref="MaxItemsPerDocument"/>, smaller in tests.</param>
    internal IdentifiedEntries Identify(ParsedFeed feed, Uri? sourceUri, EntrySelection selection, int limit)
    {
        var now = clock.GetUtcNow();
        var channelBase = ChannelBase(feed.Channel, sourceUri);
        var entries = feed.Entries;
        var bases = new LinkBase[entries.Count];
        var links = new string?[entries.Count];
        var published = new DateTimeOffset?[entries.Count];
        var updated = new DateTimeOffset?[entries.Count];
        var newest = new DateTimeOffset?[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            (bases[i], links[i], published[i], updated[i]) = Locate(entries[i], channelBase, now);
            newest[i] = Newest(published[i], updated[i]);
        }
        var keys = ItemIdentity.AssignKeys(entries, links);
        if (selection == EntrySelection.AsWritten)
            return Identified(Enumerable.Range(0, entries.Count).ToList(), leftOut: 0);
        var kept = ItemIdentity.OnePerKey(keys, newest);
        var leftOut = Math.Max(0, kept.Count - limit);
        if (leftOut > 0)
        {
            kept = kept.OrderByDescending(i => newest[i] ?? DateTimeOffset.MinValue).ThenBy(i => i).Take(limit).ToList();
            kept.Sort();
        }
        return Identified(kept, leftOut);

        // Fingerprints only for the entries kept: hashing is the costly part of this step.
        IdentifiedEntries Identified(List<int> positions, int leftOut) => new(
            positions.Select(i => new IdentifiedEntry(entries[i], keys[i], ItemIdentity.Fingerprint(entries[i]), links[i], bases[i], published[i], updated[i])).ToList(),
            leftOut);
    }

    /// <summary>
    /// Parses a fetched document and identifies its entries as <see cref="Identify(ParsedFeed, Uri?)"/> does those of
    /// <see cref="FeedParser.Parse(ReadOnlyMemory{byte}, string?)"/>, with the same result, but holding no more than
    /// <see cref="MaxItemsPerDocument"/> entries while reading (<see cref="NewestDistinctEntries"/>): a document of
    /// 100,000 items costs the service what one of 10,000 does. The feed's <see cref="ParsedFeed.Entries"/> are those kept.
    /// </summary>
    public (ParsedFeed Feed, IdentifiedEntries Entries) ParseAndIdentify(ReadOnlyMemory<byte> bytes, string? httpCharset, Uri? sourceUri) =>
        ParseAndIdentify(bytes, httpCharset, sourceUri, MaxItemsPerDocument);

    /// <param name="limit">The most items kept: <see cref="MaxItemsPerDocument"/>, smaller in tests.</param>
    internal (ParsedFeed Feed, IdentifiedEntries Entries) ParseAndIdentify(ReadOnlyMemory<byte> bytes, string? httpCharset, Uri? sourceUri, int limit)
    {
        var now = clock.GetUtcNow();
        var newest = new NewestDistinctEntries(sourceUri, now, limit);
        var feed = FeedParser.Parse(bytes, httpCharset, newest);
        if (newest.Identified(ChannelBase(feed.Channel, sourceUri)) is { } identified)
            return (feed with { Entries = identified.Select(entry => entry.Entry).ToList() }, identified);
        // The rare document the bounded reading cannot settle (see NewestDistinctEntries.Identified): read whole.
        var whole = FeedParser.Parse(bytes, httpCharset);
        var entries = Identify(whole, sourceUri, EntrySelection.Stored, limit);
        return (whole with { Entries = entries.Select(entry => entry.Entry).ToList() }, entries);
    }

    /// <summary>An entry's link base, link and plausible dates.</summary>
    internal static (LinkBase Base, string? Link, DateTimeOffset? Published, DateTimeOffset? Updated) Locate(ParsedEntry entry, LinkBase channelBase, DateTimeOffset now)
    {
        var entryBase = channelBase with { Uri = Combine(entry.BaseUri, channelBase.Uri) };
        return (entryBase, ItemLink(entry, entryBase), Plausible(entry.Published, now), Plausible(entry.Updated, now));
    }

    /// <summary>The date an entry ranks by: the later of its update and publication.</summary>
    internal static DateTimeOffset? Newest(DateTimeOffset? published, DateTimeOffset? updated) => updated > published ? updated : published ?? updated;

    public NormalizedItem NormalizeEntry(IdentifiedEntry identified, ParsedChannel channel)
    {
        var (entry, linkBase) = (identified.Entry, identified.Base);
        var content = entry.Content is { } c ? Html(c, linkBase.Uri) : null;
        // Many feeds repeat the body as the summary, which then sanitizes to the same result.
        var summary = entry.Summary is { } s && !SanitizesAlike(s, entry.Content) ? Html(s, linkBase.Uri) : content;
        var bodyText = content?.Text ?? summary?.Text ?? "";
        var enclosures = entry.Enclosures
            .Select(e => ResolveUrl(e.Url, linkBase, SafeText.HttpUrl) is { } url ? new Enclosure(url, SafeText.Line(e.Type), e.Length >= 0 ? e.Length : null) : null)
            .OfType<Enclosure>().Take(MaxValuesPerField).ToList();
        var title = Title(entry.Title);
        var teaser = Teaser(summary?.Text ?? bodyText);
        return new NormalizedItem
        {
            Key = identified.Key,
            ContentHash = identified.ContentHash,
            Id = SafeText.Line(entry.Id ?? identified.Link),
            Title = title,
            Link = identified.Link,
            LinkKey = StoryKeys.LinkKey(identified.Link),
            HeadlineKey = StoryKeys.HeadlineKey(title),
            Summary = summary?.Html,
            Content = content?.Html,
            SummaryText = teaser,
            StoryTerms = StoryTerms.Of(title, teaser),
            Authors = Authors(entry.Authors.Count > 0 ? entry.Authors : channel.Authors, linkBase),
            Published = identified.Published,
            Updated = identified.Updated,
            Categories = entry.Categories.Select(category => SafeText.Line(category)).OfType<string>()
                .Distinct(StringComparer.Ordinal).Take(MaxValuesPerField).ToList(),
            Enclosures = enclosures,
            // A media image counts only when absolute, even with an unknown origin: the next candidate may be.
            Image = entry.Images.Select(image => ResolveUrl(image, linkBase with { KeepsUnresolved = false }, SafeText.HttpUrl)).FirstOrDefault(url => url is not null)
                ?? enclosures.FirstOrDefault(e => e.Type?.StartsWith("image/", StringComparison.OrdinalIgnoreCase) == true)?.Url
                ?? new[] { content?.FirstImage, summary?.FirstImage }.Select(SafeText.HttpUrl).FirstOrDefault(url => url is not null),
            ReadingMinutes = Math.Max(1, (int)Math.Ceiling(WordCount(bodyText) / (double)WordsPerMinute)),
        };
    }

    /// <summary>
    /// The same text, kind and base. The bases are compared as written: <see cref="Uri.Equals(object?)"/> ignores user
    /// info, which a relative link resolved against the base keeps.
    /// </summary>
    private static bool SanitizesAlike(FeedText text, FeedText? other) =>
        other is not null && text.Value == other.Value && text.Kind == other.Kind && text.BaseUri?.OriginalString == other.BaseUri?.OriginalString;

    /// <summary>A date in [1970-01-01, now + 1 day], else null (see the class remarks).</summary>
    private static DateTimeOffset? Plausible(DateTimeOffset? date, DateTimeOffset now) =>
        date >= EarliestDate && date <= now + LatestDateAhead ? date : null;

    /// <summary>
    /// Relative links resolve against, in order: the element's or entry's xml:base, the feed's xml:base, the URL
    /// the feed was fetched from, and (for local files, whose path is no base for a web link) the channel link.
    /// With no source at all (<c>feeds parse</c> of bytes of unknown origin) only xml:base applies.
    /// </summary>
    internal static LinkBase ChannelBase(ParsedChannel channel, Uri? sourceUri)
    {
        var fetchedFrom = sourceUri is { IsAbsoluteUri: true } && SafeText.HttpUrl(sourceUri.AbsoluteUri) is not null ? sourceUri : null;
        var channelLink = sourceUri is not null && SafeText.HttpUrl(channel.Link) is { } link ? new Uri(link) : null;
        return new LinkBase(Combine(channel.BaseUri, fetchedFrom ?? channelLink), KeepsUnresolved: sourceUri is null);
    }

    /// <summary>An inner xml:base resolved against the outer one (XML Base §4.2).</summary>
    private static Uri? Combine(Uri? inner, Uri? outer) => inner switch
    {
        { IsAbsoluteUri: true } absolute => absolute,
        { } relative when outer is { IsAbsoluteUri: true } && Uri.TryCreate(outer, relative, out var resolved) => resolved,
        _ => outer,
    };

    /// <summary>The entry's link; failing that, a guid the feed says is a permalink (RSS 2.0 guid@isPermaLink).</summary>
    private static string? ItemLink(ParsedEntry entry, LinkBase linkBase) =>
        ResolveUrl(entry.Link, linkBase, SafeText.HttpUrl) ?? (entry.IdIsPermaLink ? SafeText.HttpUrl(entry.Id) : null);

    /// <summary>
    /// <paramref name="url"/> made absolute against the base and passed through <paramref name="accept"/> (a
    /// <see cref="SafeText"/> rule), or null. A relative reference no base resolves is kept as written only when the
    /// base says so (<see cref="LinkBase"/>), and only when it has no scheme and nothing <see cref="SafeText"/> refuses.
    /// </summary>
    private static string? ResolveUrl(string? url, LinkBase linkBase, Func<string?, string?> accept)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Length > SafeText.MaxUrlLength)
            return null;
        url = url.Trim();
        // On Unix "/path" parses as an absolute file: URI; a feed means a path on its own site.
        if (Uri.TryCreate(url, UriKind.Absolute, out var absolute) && !(absolute.IsFile && url.StartsWith('/')))
            return accept(absolute.AbsoluteUri);
        if (linkBase.Uri is not null)
            return Uri.TryCreate(linkBase.Uri, url, out var resolved) ? accept(resolved.AbsoluteUri) : null;
        var looksLikeScheme = url.Contains(':', StringComparison.Ordinal) && !url.StartsWith('/');
        return linkBase.KeepsUnresolved && !looksLikeScheme && SafeText.IsClean(url) ? url : null;
    }

    /// <summary>Sanitized HTML (or escaped text) of a text construct, and its text, holding only characters <see cref="SafeText"/> allows.</summary>
    private CleanHtml Html(FeedText text, Uri? baseUri)
    {
        baseUri = Combine(text.BaseUri, baseUri);
        var value = SafeText.Clean(text.Value);
        if (text.Kind == TextKind.Text)
        {
            var trimmed = value.Trim();
            return new CleanHtml(WebUtility.HtmlEncode(trimmed), HtmlCleaner.Collapse(trimmed), null);
        }
        // HTML decodes character references the source may have written ("&#1;"), so the result is cleaned again.
        var clean = cleaner.Clean(value, baseUri);
        return new CleanHtml(SafeText.Clean(clean.Html), SafeText.Clean(clean.Text), clean.FirstImage);
    }

    /// <summary>
    /// A title as one line of plain text that carries no markup, whatever the source declares: a "text" title holding
    /// <c>&lt;script&gt;</c> or <c>&lt;/title&gt;&lt;svg onload=…&gt;</c> becomes markup again in the many readers that
    /// render RSS titles as HTML. So markup is stripped and entities decoded (HTML titles, and the escaped HTML RSS
    /// titles so often hold), and markup that decoding revealed is stripped too; a '&lt;' that opens nothing stays.
    /// </summary>
    /// <remarks>
    /// <c>feeds parse</c> prints the same title. SCHEMA.md keeps "History of the &lt;blink&gt; tag" for a plain-text
    /// source; we give "History of the tag", which is what an HTML reader of our feeds would show, and which the
    /// conformance checker, comparing titles with tags stripped, accepts.
    /// </remarks>
    public static string? Title(FeedText? text)
    {
        if (text is null)
            return null;
        var source = text.Value.Length > MaxTitleSourceLength ? text.Value[..MaxTitleSourceLength] : text.Value;
        // Cleaned again after decoding, before markup is looked for: "<&#1;a" must not become "<a" after the look.
        var plain = SafeText.Clean(HtmlCleaner.ToPlainText(SafeText.Clean(source)));
        return SafeText.Line(HtmlCleaner.RemoveMarkup(plain), SafeText.MaxTitleLength);
    }

    /// <summary>
    /// The listing's teaser: one line of plain text with no markup, like a title, because it stands in for the title
    /// of an item that has none.
    /// </summary>
    private static string? Teaser(string text) => SafeText.Line(HtmlCleaner.RemoveMarkup(text), TeaserLength);

    /// <summary>People with their parts bounded and only an http(s) or mailto URL; RSS's "email (Name)" strings split first.</summary>
    private static List<Person> Authors(IReadOnlyList<ParsedPerson> authors, LinkBase linkBase) =>
        authors.Take(MaxValuesPerField)
            .Select(a => a switch
            {
                { Name: null, Email: { } raw, Uri: null } => Bylines.Split(Bounded(raw)),
                { Name: { } raw, Email: null, Uri: null } => Bylines.Split(Bounded(raw)),
                _ => new Person(a.Name, a.Email, a.Uri),
            })
            .Select(p => new Person(SafeText.Line(p.Name), SafeText.Line(p.Email), ResolveUrl(p.Uri, linkBase, SafeText.PersonUrl)))
            .Where(p => p.Name is not null || p.Email is not null || p.Uri is not null)
            .Distinct().ToList();

    /// <summary>Enough of an author string to split (its parts are cut to a line anyway), clean, so no pattern runs over megabytes.</summary>
    private static string Bounded(string raw) => SafeText.Clean(raw.Length > 4 * SafeText.MaxLineLength ? raw[..(4 * SafeText.MaxLineLength)] : raw);

    /// <summary>Runs of characters between spaces, counted without splitting: the text is an item's whole body.</summary>
    private static int WordCount(string text)
    {
        // Collapsed text, as the body's almost always is: one more word than spaces, counted a vector at a time.
        if (text.Length > 0 && text[0] != ' ' && text[^1] != ' ' && !text.Contains("  ", StringComparison.Ordinal))
            return text.AsSpan().Count(' ') + 1;
        var words = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != ' ' && (i == 0 || text[i - 1] == ' '))
                words++;
        }
        return words;
    }
}
