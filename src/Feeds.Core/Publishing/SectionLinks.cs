using System.Globalization;
using Feeds.Core.Storage;

namespace Feeds.Core.Publishing;

/// <summary>
/// The absolute URLs a section's feeds and pages point to, built from the public base URL; a story's page and feeds
/// (<see cref="ForStory"/>) are addressed the same way under <c>stories/</c>.
/// </summary>
/// <param name="Collection">The path the id is under: <c>sections</c>, or <c>stories</c> for a story.</param>
public sealed record SectionLinks(Uri BaseUri, string SectionId, string Collection = "sections")
{
    private string Path => Collection + "/" + Uri.EscapeDataString(SectionId);

    /// <summary>The page and feeds of a story: <c>/stories/{id}</c>, <c>/stories/{id}/rss</c>, …</summary>
    public static SectionLinks ForStory(Uri baseUri, long storyId) => new(baseUri, storyId.ToString(CultureInfo.InvariantCulture), "stories");

    /// <summary>The page of the story an item reports, which lists every report of it.</summary>
    public Uri Story(StoredItem item) => ForStory(BaseUri, item.StoryId).Page;

    public Uri Page => new(BaseUri, Path);

    /// <summary>A page of the section's stories: the first without a cursor, else the older stories <c>?before=</c> the cursor.</summary>
    public Uri PageAt(ItemCursor cursor) => cursor == ItemCursor.Newest ? Page : new Uri(BaseUri, $"{Path}?before={cursor.Token}");

    /// <summary>A feed page: the first page without a cursor, else <c>?before=</c> (older) or <c>?after=</c> (newer).</summary>
    public Uri Feed(OutputFormat format, ItemCursor? cursor = null)
    {
        var query = cursor is null || cursor == ItemCursor.Newest ? ""
            : (cursor.Direction == PageDirection.Older ? "?before=" : "?after=") + cursor.Token;
        return new Uri(BaseUri, $"{Path}/{FormatSegment(format)}{query}");
    }

    public Uri ItemAnchor(long itemId) => new(BaseUri, $"{Path}#item-{itemId}");

    /// <summary>The article an item links to, or its place on the section page when the source gave no link.</summary>
    public Uri Item(StoredItem item) =>
        item.Link is { } url && Uri.TryCreate(url, UriKind.Absolute, out var absolute) ? absolute : ItemAnchor(item.Id);

    public static string FormatSegment(OutputFormat format) => format switch
    {
        OutputFormat.Atom => "atom",
        OutputFormat.Json => "json",
        _ => "rss",
    };
}
