using System.Text.Json;
using Feeds.Core.Normalization;

namespace Feeds.Core.Storage;

/// <summary>
/// A poll's item as every store writes it: the values of its <c>items</c> row, times in unix ms. An item its feed gives no
/// date is dated when it is seen (<see cref="SeenAt"/>) and marked estimated; a missing title falls back to the summary or link.
/// </summary>
internal sealed record ItemValues
{
    public required string SourceId { get; init; }
    public required string ItemKey { get; init; }
    public required string ContentHash { get; init; }
    public string? Guid { get; init; }
    public required string Title { get; init; }
    public string? Link { get; init; }
    public string? SummaryHtml { get; init; }
    public string? SummaryText { get; init; }
    public string? ContentHtml { get; init; }
    public required string AuthorsJson { get; init; }
    public required string CategoriesJson { get; init; }
    public required string EnclosuresJson { get; init; }
    public string? ImageUrl { get; init; }
    public long ReadingMinutes { get; init; }
    public long PublishedAt { get; init; }
    public long DateIsEstimated { get; init; }
    public long UpdatedAt { get; init; }
    public string? LinkKey { get; init; }
    public string? HeadlineKey { get; init; }

    /// <summary>When the poll saw the item: its first-seen time if it is new, and its last-changed time.</summary>
    public long SeenAt { get; init; }

    public static ItemValues Of(string sourceId, NormalizedItem item, long now) => new()
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
        LinkKey = item.LinkKey,
        HeadlineKey = item.HeadlineKey,
        SeenAt = now,
    };
}
