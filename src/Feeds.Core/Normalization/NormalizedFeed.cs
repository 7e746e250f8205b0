using Feeds.Core.Parsing;

namespace Feeds.Core.Normalization;

/// <summary>A feed with its meaning settled: absolute http(s) URLs, plausible UTC dates, sanitized HTML, plain-text titles (see <see cref="FeedNormalizer"/>).</summary>
public sealed record NormalizedFeed(
    FeedFormat Format,
    string? Title,
    string? Link,
    string? Description,
    string? Language,
    DateTimeOffset? Updated,
    string? Image,
    IReadOnlyList<NormalizedItem> Items);

/// <summary>One news item ready to store and republish.</summary>
public sealed record NormalizedItem
{
    /// <summary>Stable identity within its source; see <see cref="ItemIdentity"/>.</summary>
    public required string Key { get; init; }

    /// <summary>Fingerprint of the item as the source wrote it; a re-poll with the same hash changes nothing.</summary>
    public required string ContentHash { get; init; }

    /// <summary>The id the source gave (guid/id), else the link; as written, as one bounded line.</summary>
    public string? Id { get; init; }

    /// <summary>Plain text with no markup, one line of at most <see cref="SafeText.MaxTitleLength"/> characters.</summary>
    public string? Title { get; init; }

    /// <summary>Absolute http(s); a relative reference only from <c>feeds parse</c> of bytes of unknown origin.</summary>
    public string? Link { get; init; }

    /// <summary>The canonical link under which other sources' reports of the same story meet (<see cref="StoryKeys.LinkKey"/>).</summary>
    public string? LinkKey { get; init; }

    /// <summary>The folded headline under which other sources' reports of the same story meet (<see cref="StoryKeys.HeadlineKey"/>).</summary>
    public string? HeadlineKey { get; init; }

    /// <summary>The weighted words of the headline and lede under which near-duplicate reports of the story meet (<see cref="Normalization.StoryTerms"/>).</summary>
    public StoryTerms? StoryTerms { get; init; }

    /// <summary>Sanitized HTML; the content when the source has no summary.</summary>
    public string? Summary { get; init; }

    /// <summary>Sanitized HTML body, null when the source has none.</summary>
    public string? Content { get; init; }

    /// <summary>A plain-text teaser of the summary or body, for listings.</summary>
    public string? SummaryText { get; init; }

    public IReadOnlyList<Person> Authors { get; init; } = [];
    /// <summary>In [1970-01-01, now + 1 day], else null: the store then dates the item by when it first saw it.</summary>
    public DateTimeOffset? Published { get; init; }

    /// <inheritdoc cref="Published"/>
    public DateTimeOffset? Updated { get; init; }
    public IReadOnlyList<string> Categories { get; init; } = [];
    public IReadOnlyList<Enclosure> Enclosures { get; init; } = [];

    /// <summary>The featured image: media thumbnail/content, image enclosure, or the first image in the body.</summary>
    public string? Image { get; init; }

    public int ReadingMinutes { get; init; }

    /// <summary>"Jane Doe and John Roe", or null when the source names nobody.</summary>
    public string? Byline => Bylines.Join(Authors);
}

public sealed record Person(string? Name, string? Email, string? Uri);

public sealed record Enclosure(string Url, string? Type, long? Length);
