using Feeds.Core.Storage;

namespace Feeds.Core.Publishing;

/// <summary>The absolute URLs a section's feeds and pages point to, built from the public base URL.</summary>
public sealed record SectionLinks(Uri BaseUri, string SectionId)
{
    private string Path => "sections/" + Uri.EscapeDataString(SectionId);

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
