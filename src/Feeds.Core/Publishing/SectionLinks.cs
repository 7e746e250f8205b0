using System.Globalization;
using Feeds.Core.Storage;

namespace Feeds.Core.Publishing;

/// <summary>
/// The absolute URLs a section's feeds and pages point to, built from the public base URL; a story's page and feeds
/// (<see cref="ForStory"/>) are addressed the same way under <c>stories/</c>.
/// </summary>
/// <param name="Collection">The path the id is under: <c>sections</c>, or <c>stories</c> for a story.</param>
public sealed record SectionLinks(Uri BaseUri, string SectionId, string Collection = "sections") : IFeedLinks
{
    private string Path => Collection + "/" + Uri.EscapeDataString(SectionId);

    /// <summary>The page and feeds of a story: <c>/stories/{id}</c>, <c>/stories/{id}/rss</c>, …</summary>
    public static SectionLinks ForStory(Uri baseUri, long storyId) => new(baseUri, storyId.ToString(CultureInfo.InvariantCulture), "stories");

    public Uri Story(StoredItem item) => ForStory(BaseUri, item.StoryId).Page;

    public Uri Page => new(BaseUri, Path);

    public Uri PageAt(ItemCursor cursor) => cursor == ItemCursor.Newest ? Page : new Uri(BaseUri, $"{Path}?before={cursor.Token}");

    public Uri Feed(OutputFormat format, ItemCursor? cursor = null) =>
        new(BaseUri, $"{Path}/{FormatSegment(format)}{CursorQuery(cursor, "?")}");

    public Uri ItemAnchor(long itemId) => new(BaseUri, $"{Path}#item-{itemId}");

    public Uri Item(StoredItem item) => ArticleOr(item, ItemAnchor(item.Id));

    /// <summary>The article an item links to, else <paramref name="fallback"/>.</summary>
    internal static Uri ArticleOr(StoredItem item, Uri fallback) =>
        item.Link is { } url && Uri.TryCreate(url, UriKind.Absolute, out var absolute) ? absolute : fallback;

    /// <summary>A feed cursor as a query parameter after <paramref name="separator"/>: none for the first page.</summary>
    internal static string CursorQuery(ItemCursor? cursor, string separator) =>
        cursor is null || cursor == ItemCursor.Newest ? ""
            : separator + (cursor.Direction == PageDirection.Older ? "before=" : "after=") + cursor.Token;

    public static string FormatSegment(OutputFormat format) => format switch
    {
        OutputFormat.Atom => "atom",
        OutputFormat.Json => "json",
        _ => "rss",
    };
}
