using System.Text.Json;
using Feeds.Core.Normalization;

namespace Feeds.Core.Storage;

/// <summary>
/// An items row as every store holds it (times in unix ms), and its mapping from a poll's item and to <see cref="StoredItem"/>;
/// every text column read may be anything, so <see cref="ToItem"/> reads it through <see cref="StoredItemGuard"/>.
/// </summary>
internal sealed record ItemRow
{
    public const string Select = """
        SELECT i.id AS Id, i.source_id AS SourceId, i.item_key AS ItemKey, i.guid AS Guid, i.title AS Title, i.link AS Link,
               i.summary_html AS SummaryHtml, i.summary_text AS SummaryText, i.content_html AS ContentHtml,
               i.authors_json AS AuthorsJson, i.categories_json AS CategoriesJson, i.enclosures_json AS EnclosuresJson,
               i.image_url AS ImageUrl, i.reading_minutes AS ReadingMinutes, i.published_at AS PublishedAt,
               i.date_is_estimated AS DateIsEstimated, i.updated_at AS UpdatedAt, i.first_seen_at AS FirstSeenAt,
               i.link_key AS LinkKey, i.headline_key AS HeadlineKey, coalesce(r.story_id, i.id) AS StoryId,
               s.feed_title AS SourceTitle, s.feed_link AS SourceLink, s.feed_language AS SourceLanguage, s.url AS SourceUrl
        FROM items i JOIN sources s ON s.id = i.source_id LEFT JOIN story_reports r ON r.item_id = i.id
        """;

    public long Id { get; init; }
    public string? SourceId { get; init; }
    public string? ItemKey { get; init; }
    // Written, never read back: publishing has no use for it.
    public string? ContentHash { get; init; }
    public string? Guid { get; init; }
    public string? Title { get; init; }
    public string? Link { get; init; }
    public string? SummaryHtml { get; init; }
    public string? SummaryText { get; init; }
    public string? ContentHtml { get; init; }
    public string? AuthorsJson { get; init; }
    public string? CategoriesJson { get; init; }
    public string? EnclosuresJson { get; init; }
    public string? ImageUrl { get; init; }
    public long ReadingMinutes { get; init; }
    public long PublishedAt { get; init; }
    public long DateIsEstimated { get; init; }
    public long UpdatedAt { get; init; }
    public long FirstSeenAt { get; init; }
    public string? LinkKey { get; init; }
    public string? HeadlineKey { get; init; }
    // Read only, from the item's story report: a poll places an item in its story after writing it (DbStoryIndex).
    public long StoryId { get; init; }
    public string? SourceTitle { get; init; }
    public string? SourceLink { get; init; }
    public string? SourceLanguage { get; init; }
    public string? SourceUrl { get; init; }

    /// <summary>
    /// A poll's item as every store writes it, seen at <paramref name="now"/> (its first-seen time if it is new): an item its
    /// feed gives no date is dated then and marked estimated; a missing title falls back to the summary or link.
    /// </summary>
    public static ItemRow From(string sourceId, NormalizedItem item, long now) => new()
    {
        SourceId = sourceId,
        ItemKey = item.Key,
        ContentHash = item.ContentHash,
        Guid = item.Id,
        Title = item.Title ?? item.SummaryText ?? item.Link ?? "Untitled",
        Link = item.Link,
        SummaryHtml = item.Summary,
        SummaryText = item.SummaryText,
        ContentHtml = item.Content,
        AuthorsJson = JsonSerializer.Serialize(item.Authors),
        CategoriesJson = JsonSerializer.Serialize(item.Categories),
        EnclosuresJson = JsonSerializer.Serialize(item.Enclosures),
        ImageUrl = item.Image,
        ReadingMinutes = item.ReadingMinutes,
        PublishedAt = item.Published?.ToUnixTimeMilliseconds() ?? item.Updated?.ToUnixTimeMilliseconds() ?? now,
        DateIsEstimated = item.Published is null && item.Updated is null ? 1 : 0,
        UpdatedAt = item.Updated?.ToUnixTimeMilliseconds() ?? item.Published?.ToUnixTimeMilliseconds() ?? now,
        FirstSeenAt = now,
        LinkKey = item.LinkKey,
        HeadlineKey = item.HeadlineKey,
    };

    public StoredItem ToItem(DateTimeOffset now)
    {
        var (published, estimated) = StoredItemGuard.Published(PublishedAt, FirstSeenAt, now);
        var link = SafeText.HttpUrl(Link);
        var teaser = StoredItemGuard.Line(SummaryText, StoredItemGuard.MaxTeaserLength);
        return new StoredItem
        {
            Id = Id,
            SourceId = StoredItemGuard.Clean(SourceId) ?? "",
            // Hashed into ids, never shown: kept as stored, so an item keeps its id in every reader.
            ItemKey = ItemKey ?? "",
            Guid = StoredItemGuard.Clean(Guid),
            Title = StoredItemGuard.Title(Title, teaser, link),
            Link = link,
            SummaryHtml = StoredItemGuard.Clean(SummaryHtml),
            SummaryText = teaser,
            ContentHtml = StoredItemGuard.Clean(ContentHtml),
            Authors = StoredItemGuard.Authors(AuthorsJson),
            Categories = StoredItemGuard.Categories(CategoriesJson),
            Enclosures = StoredItemGuard.Enclosures(EnclosuresJson),
            ImageUrl = SafeText.HttpUrl(ImageUrl),
            ReadingMinutes = StoredItemGuard.ReadingMinutes(ReadingMinutes),
            PublishedAt = published,
            StoredPublishedMs = PublishedAt,
            DateIsEstimated = estimated || DateIsEstimated != 0,
            UpdatedAt = StoredItemGuard.InWindow(UpdatedAt, now) ? DateTimeOffset.FromUnixTimeMilliseconds(UpdatedAt) : published,
            LinkKey = LinkKey,
            HeadlineKey = HeadlineKey,
            StoryId = StoryId,
            SourceTitle = StoredItemGuard.PlainLine(SourceTitle, SafeText.MaxLineLength),
            SourceLink = SafeText.HttpUrl(SourceLink),
            SourceLanguage = StoredItemGuard.Language(SourceLanguage),
            SourceUrl = StoredItemGuard.Clean(SourceUrl) ?? "",
        };
    }
}
