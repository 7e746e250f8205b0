using Feeds.Core.Storage;

namespace Feeds.Core.Publishing;

/// <summary>The absolute URLs a section's feeds and pages point to, built from the public base URL.</summary>
public sealed record SectionLinks(Uri BaseUri, string SectionId) : IFeedLinks
{
    private string Path => "sections/" + Uri.EscapeDataString(SectionId);

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
