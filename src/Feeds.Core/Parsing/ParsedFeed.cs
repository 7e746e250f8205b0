namespace Feeds.Core.Parsing;

/// <summary>The feed formats we recognise, named as in <c>conformance/SCHEMA.md</c>.</summary>
public enum FeedFormat
{
    Unknown,
    Rss20,
    Rss09x,
    Rss10,
    Atom10,
    Atom03,
    Json,
}

/// <summary>
/// One feed as its bytes say it, before meaning is applied: text keeps its declared kind, links may be
/// relative, authors are as written. <see cref="Normalization.FeedNormalizer"/> turns this into what we store.
/// </summary>
public sealed record ParsedFeed(FeedFormat Format, ParsedChannel Channel, IReadOnlyList<ParsedEntry> Entries);

/// <summary>Feed-level fields (RSS <c>channel</c>, Atom <c>feed</c>).</summary>
public sealed record ParsedChannel
{
    public FeedText? Title { get; init; }
    public string? Link { get; init; }
    public FeedText? Description { get; init; }
    public string? Language { get; init; }
    public DateTimeOffset? Updated { get; init; }
    public DateTimeOffset? Published { get; init; }
    public string? Image { get; init; }
    public IReadOnlyList<ParsedPerson> Authors { get; init; } = [];
    public Uri? BaseUri { get; init; }

    /// <summary>RSS 2.0 <c>ttl</c>: the minutes the channel may be cached before it is asked again, as written.</summary>
    public string? Ttl { get; init; }

    /// <summary>The RSS Syndication module's <c>sy:updatePeriod</c> (hourly, daily, weekly, monthly, yearly), as written.</summary>
    public string? UpdatePeriod { get; init; }

    /// <summary>The RSS Syndication module's <c>sy:updateFrequency</c>: how many updates a period, as written.</summary>
    public string? UpdateFrequency { get; init; }
}

/// <summary>One RSS <c>item</c> or Atom <c>entry</c>.</summary>
public sealed record ParsedEntry
{
    /// <summary>RSS <c>guid</c> or Atom <c>id</c>, as written.</summary>
    public string? Id { get; init; }

    /// <summary>False for an RSS guid marked <c>isPermaLink="false"</c>.</summary>
    public bool IdIsPermaLink { get; init; }

    public FeedText? Title { get; init; }

    /// <summary>The alternate (article) link, as written; may be relative.</summary>
    public string? Link { get; init; }

    public FeedText? Summary { get; init; }
    public FeedText? Content { get; init; }
    public IReadOnlyList<ParsedPerson> Authors { get; init; } = [];
    public DateTimeOffset? Published { get; init; }
    public DateTimeOffset? Updated { get; init; }
    public IReadOnlyList<string> Categories { get; init; } = [];
    public IReadOnlyList<ParsedEnclosure> Enclosures { get; init; } = [];

    /// <summary>Images named by media/itunes elements, best candidate first.</summary>
    public IReadOnlyList<string> Images { get; init; } = [];

    /// <summary>The <c>xml:base</c> in force for this entry, if any.</summary>
    public Uri? BaseUri { get; init; }
}

/// <summary>How a text field is encoded in the source.</summary>
public enum TextKind
{
    /// <summary>Plain text: markup characters are literal.</summary>
    Text,

    /// <summary>An escaped or CDATA HTML fragment.</summary>
    Html,

    /// <summary>Inline XHTML, given as its inner markup.</summary>
    Xhtml,
}

/// <summary>A text construct (title, summary, content) with its declared kind.</summary>
public sealed record FeedText(string Value, TextKind Kind)
{
    /// <summary>The <c>xml:base</c> of the element the text came from, when it differs from its entry's.</summary>
    public Uri? BaseUri { get; init; }
}

/// <summary>An author or contributor. RSS <c>author</c> keeps its raw "email (Name)" form in <see cref="Name"/> until normalization.</summary>
public sealed record ParsedPerson(string? Name, string? Email, string? Uri);

/// <summary>An RSS <c>enclosure</c> or Atom <c>link rel="enclosure"</c>.</summary>
public sealed record ParsedEnclosure(string Url, string? Type, long? Length);
