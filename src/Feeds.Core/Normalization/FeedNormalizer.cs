using System.Net;
using System.Text.RegularExpressions;
using Feeds.Core.Parsing;

namespace Feeds.Core.Normalization;

/// <summary>An entry with its identity and fingerprint, before the costly part of normalization.</summary>
public sealed record IdentifiedEntry(ParsedEntry Entry, string Key, string ContentHash, string? Link, Uri? BaseUri);

/// <summary>
/// Translates a <see cref="ParsedFeed"/> into meaning: identity, absolute http(s) URLs, sanitized HTML,
/// plain-text titles, authors split into parts, the featured image and reading time. The one normalization
/// used by both the store and <c>feeds parse</c>.
/// </summary>
public sealed partial class FeedNormalizer(HtmlCleaner cleaner)
{
    private const int WordsPerMinute = 230;
    private const int TeaserLength = 280;

    public NormalizedFeed Normalize(ParsedFeed feed, Uri? sourceUri) =>
        NormalizeChannel(feed, sourceUri) with { Items = Identify(feed, sourceUri).Select(entry => NormalizeEntry(entry, feed.Channel)).ToList() };

    /// <summary>The feed-level fields only, with no items.</summary>
    public NormalizedFeed NormalizeChannel(ParsedFeed feed, Uri? sourceUri)
    {
        var channelBase = ChannelBase(feed.Channel, sourceUri);
        var channel = feed.Channel;
        var (title, link, _) = DescribeChannel(feed, sourceUri);
        return new NormalizedFeed(
            feed.Format,
            title,
            link,
            channel.Description is { } description ? Html(description, channelBase).Html : null,
            channel.Language,
            channel.Updated ?? channel.Published,
            ResolveUrl(channel.Image, channelBase),
            []);
    }

    /// <summary>What a source's state keeps of its channel, without the cost of sanitizing its description on every poll.</summary>
    public (string? Title, string? Link, string? Language) DescribeChannel(ParsedFeed feed, Uri? sourceUri) =>
        (PlainText(feed.Channel.Title), ResolveUrl(feed.Channel.Link, ChannelBase(feed.Channel, sourceUri)), feed.Channel.Language);

    /// <summary>Keys and fingerprints for every entry: cheap, so unchanged entries can be skipped before sanitizing.</summary>
    public IReadOnlyList<IdentifiedEntry> Identify(ParsedFeed feed, Uri? sourceUri)
    {
        var channelBase = ChannelBase(feed.Channel, sourceUri);
        var bases = feed.Entries.Select(e => EntryBase(e, channelBase)).ToList();
        var links = feed.Entries.Select((e, i) => ItemLink(e, bases[i])).ToList();
        var keys = ItemIdentity.AssignKeys(feed.Entries, links);
        return feed.Entries.Select((e, i) => new IdentifiedEntry(e, keys[i], ItemIdentity.Fingerprint(e), links[i], bases[i])).ToList();
    }

    public NormalizedItem NormalizeEntry(IdentifiedEntry identified, ParsedChannel channel)
    {
        var (entry, baseUri) = (identified.Entry, identified.BaseUri);
        var content = entry.Content is { } c ? Html(c, baseUri) : null;
        var summary = entry.Summary is { } s ? Html(s, baseUri) : content;
        var bodyText = content?.Text ?? summary?.Text ?? "";
        var enclosures = entry.Enclosures
            .Select(e => ResolveUrl(e.Url, baseUri) is { } url ? new Enclosure(url, e.Type, e.Length) : null)
            .OfType<Enclosure>().ToList();
        return new NormalizedItem
        {
            Key = identified.Key,
            ContentHash = identified.ContentHash,
            Id = entry.Id ?? identified.Link,
            Title = PlainText(entry.Title),
            Link = identified.Link,
            Summary = summary?.Html,
            Content = content?.Html,
            SummaryText = Teaser(summary?.Text ?? bodyText),
            Authors = Authors(entry.Authors.Count > 0 ? entry.Authors : channel.Authors),
            Published = entry.Published,
            Updated = entry.Updated,
            Categories = entry.Categories.Distinct(StringComparer.Ordinal).ToList(),
            Enclosures = enclosures,
            Image = entry.Images.Select(i => ResolveUrl(i, baseUri)).FirstOrDefault(IsHttp)
                ?? enclosures.FirstOrDefault(e => e.Type?.StartsWith("image/", StringComparison.OrdinalIgnoreCase) == true)?.Url
                ?? new[] { content?.FirstImage, summary?.FirstImage }.FirstOrDefault(IsHttp),
            ReadingMinutes = Math.Max(1, (int)Math.Ceiling(WordCount(bodyText) / (double)WordsPerMinute)),
        };
    }

    /// <summary>
    /// Relative links resolve against, in order: the element's or entry's xml:base, the feed's xml:base, the URL
    /// the feed was fetched from, and (for local files, whose path is no base for a web link) the channel link.
    /// With no source at all (<c>feeds parse</c> of bytes of unknown origin) only xml:base applies, and a relative
    /// reference with no base stays as written (conformance/SCHEMA.md).
    /// </summary>
    private static Uri? ChannelBase(ParsedChannel channel, Uri? sourceUri)
    {
        var fetchedFrom = sourceUri is { IsAbsoluteUri: true } && IsHttp(sourceUri.AbsoluteUri) ? sourceUri : null;
        var channelLink = sourceUri is not null && Uri.TryCreate(channel.Link, UriKind.Absolute, out var link) && IsHttp(link.AbsoluteUri) ? link : null;
        var fallback = fetchedFrom ?? channelLink;
        return channel.BaseUri switch
        {
            { IsAbsoluteUri: true } absolute => absolute,
            { } relative when fallback is not null => new Uri(fallback, relative),
            _ => fallback,
        };
    }

    private static Uri? EntryBase(ParsedEntry entry, Uri? channelBase) => Combine(entry.BaseUri, channelBase);

    /// <summary>An inner xml:base resolved against the outer one (XML Base §4.2).</summary>
    private static Uri? Combine(Uri? inner, Uri? outer) => inner switch
    {
        { IsAbsoluteUri: true } absolute => absolute,
        { } relative when outer is { IsAbsoluteUri: true } && Uri.TryCreate(outer, relative, out var resolved) => resolved,
        _ => outer,
    };

    /// <summary>The entry's link; failing that, a guid the feed says is a permalink (RSS 2.0 guid@isPermaLink).</summary>
    private static string? ItemLink(ParsedEntry entry, Uri? baseUri) =>
        ResolveUrl(entry.Link, baseUri)
        ?? (entry.IdIsPermaLink && entry.Id is { } id && Uri.TryCreate(id, UriKind.Absolute, out var uri) && IsHttp(uri.AbsoluteUri) ? uri.AbsoluteUri : null);

    /// <summary>Absolute http(s) URL, a relative one as written when there is no base, or null for any other scheme.</summary>
    public static string? ResolveUrl(string? url, Uri? baseUri)
    {
        if (string.IsNullOrWhiteSpace(url))
            return null;
        url = url.Trim();
        if (Uri.TryCreate(url, UriKind.Absolute, out var absolute) && !(absolute.IsFile && url.StartsWith('/')))
            return IsHttp(absolute.AbsoluteUri) ? absolute.AbsoluteUri : null;
        if (baseUri is null)
            return url.Contains(':', StringComparison.Ordinal) && !url.StartsWith('/') ? null : url;
        return Uri.TryCreate(baseUri, url, out var resolved) && IsHttp(resolved.AbsoluteUri) ? resolved.AbsoluteUri : null;
    }

    private static bool IsHttp(string? url) =>
        url is not null && (url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase));

    private CleanHtml Html(FeedText text, Uri? baseUri)
    {
        baseUri = Combine(text.BaseUri, baseUri);
        if (text.Kind == TextKind.Text)
        {
            var collapsed = text.Value.Trim();
            return new CleanHtml(WebUtility.HtmlEncode(collapsed), HtmlCleaner.Collapse(collapsed), null);
        }
        return cleaner.Clean(text.Value, baseUri);
    }

    /// <summary>Titles are plain text; markup is removed where the source is HTML or plainly holds HTML tags.</summary>
    public static string? PlainText(FeedText? text)
    {
        if (text is null)
            return null;
        var value = text.Kind != TextKind.Text || LooksLikeHtml().IsMatch(text.Value)
            ? HtmlCleaner.ToPlainText(text.Value)
            : HtmlCleaner.Collapse(text.Value);
        return value.Length == 0 ? null : value;
    }

    private static List<Person> Authors(IReadOnlyList<ParsedPerson> authors) =>
        authors.Select(a => a switch
            {
                { Name: null, Email: { } raw, Uri: null } => Bylines.Split(raw),
                { Name: { } raw, Email: null, Uri: null } => Bylines.Split(raw),
                _ => new Person(a.Name, a.Email, a.Uri),
            })
            .Where(p => p.Name is not null || p.Email is not null || p.Uri is not null)
            .Distinct().ToList();

    private static string? Teaser(string text)
    {
        if (text.Length <= TeaserLength)
            return text.Length == 0 ? null : text;
        var cut = text.LastIndexOf(' ', TeaserLength);
        return text[..(cut > TeaserLength / 2 ? cut : TeaserLength)].TrimEnd(',', ';', ':', '-', ' ') + "…";
    }

    private static int WordCount(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;

    [GeneratedRegex(@"<(?:/?(?:a|abbr|b|br|cite|code|div|em|font|h[1-6]|i|img|p|q|s|small|span|strong|sub|sup|u)\b[^>]*>|!\[CDATA\[)", RegexOptions.IgnoreCase)]
    private static partial Regex LooksLikeHtml();
}
