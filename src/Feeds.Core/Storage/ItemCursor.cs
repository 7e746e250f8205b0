using System.Globalization;

namespace Feeds.Core.Storage;

public enum PageDirection
{
    /// <summary>Items older than the cursor: RFC 5005 "next".</summary>
    Older,

    /// <summary>Items newer than the cursor: RFC 5005 "previous".</summary>
    Newer,
}

/// <summary>
/// A stable position in a newest-first list: the (published time, row id) of an item. Pages from a
/// cursor stay the same however many items arrive at the top meanwhile.
/// </summary>
public sealed record ItemCursor(long PublishedMs, long Id, PageDirection Direction)
{
    /// <summary>Before everything: the first page.</summary>
    public static readonly ItemCursor Newest = new(long.MaxValue, long.MaxValue, PageDirection.Older);

    // The stored time, not the shown one: the store orders pages by the column as it is (see StoredItem.StoredPublishedMs).
    public static ItemCursor After(StoredItem item) => new(item.StoredPublishedMs, item.Id, PageDirection.Older);

    public static ItemCursor Before(StoredItem item) => new(item.StoredPublishedMs, item.Id, PageDirection.Newer);

    /// <summary>The token used in URLs: "1732790000000.42".</summary>
    public string Token => PublishedMs.ToString(CultureInfo.InvariantCulture) + "." + Id.ToString(CultureInfo.InvariantCulture);

    public static bool TryParse(string token, PageDirection direction, out ItemCursor cursor)
    {
        cursor = Newest;
        var parts = token.Split('.');
        // A stored time may be before 1970 (a row of an older version), so the time may be negative.
        if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var published)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            return false;
        cursor = new ItemCursor(published, id, direction);
        return true;
    }
}
