using Feeds.Core.Storage;

namespace Feeds.Core.Publishing;

/// <summary>
/// The absolute URLs a published list of items points to — a section (<see cref="SectionLinks"/>) or a saved search
/// (<see cref="SearchLinks"/>): its page for people, its feeds and their pages (RFC 5005), and where an item leads.
/// </summary>
public interface IFeedLinks
{
    /// <summary>The first page for people.</summary>
    Uri Page { get; }

    /// <summary>A page for people: the first without a cursor, else the older items <c>before=</c> the cursor.</summary>
    Uri PageAt(ItemCursor cursor);

    /// <summary>A feed page: the first page without a cursor, else <c>before=</c> (older) or <c>after=</c> (newer).</summary>
    Uri Feed(OutputFormat format, ItemCursor? cursor = null);

    /// <summary>The article an item links to, or its place on the page when the source gave no link.</summary>
    Uri Item(StoredItem item);

    /// <summary>The page of the story an item reports, which lists every report of it.</summary>
    Uri Story(StoredItem item);
}
