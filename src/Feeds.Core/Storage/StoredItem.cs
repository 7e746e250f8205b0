using Feeds.Core.Normalization;

namespace Feeds.Core.Storage;

/// <summary>
/// An item as read back for publishing. Read through <see cref="StoredItemGuard"/>, so pages and writers may trust
/// it: clean plain-text title of bounded length, http(s) links, dates within [1970, now + 1 day].
/// </summary>
public sealed record StoredItem
{
    public required long Id { get; init; }
    public required string SourceId { get; init; }
    public required string ItemKey { get; init; }
    public string? Guid { get; init; }
    public required string Title { get; init; }
    public string? Link { get; init; }
    public string? SummaryHtml { get; init; }
    public string? SummaryText { get; init; }
    public string? ContentHtml { get; init; }
    public IReadOnlyList<Person> Authors { get; init; } = [];
    public IReadOnlyList<string> Categories { get; init; } = [];
    public IReadOnlyList<Enclosure> Enclosures { get; init; } = [];
    public string? ImageUrl { get; init; }
    public int ReadingMinutes { get; init; }
    public required DateTimeOffset PublishedAt { get; init; }

    /// <summary>
    /// The published time as the row holds it, before the guard moved it into the date window. Pages are ordered and
    /// their cursors placed by it, so a row with an impossible date is paged like any other: never skipped, never twice.
    /// </summary>
    public required long StoredPublishedMs { get; init; }

    public bool DateIsEstimated { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public string? LinkKey { get; init; }
    public string? HeadlineKey { get; init; }

    /// <summary>The story the item reports, named by the id of the story's first stored member; stable for ever (see <see cref="Normalization.SameStory"/>).</summary>
    public long StoryId { get; init; }
    public string? SourceTitle { get; init; }
    public string? SourceLink { get; init; }

    /// <summary>The language the source declares (RSS language, Atom xml:lang).</summary>
    public string? SourceLanguage { get; init; }

    /// <summary>Where the source is polled from: an http(s) URL or a local path.</summary>
    public string SourceUrl { get; init; } = "";

    public string? Byline => Bylines.Join(Authors);
}
