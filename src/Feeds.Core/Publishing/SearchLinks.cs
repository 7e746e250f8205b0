using Feeds.Core.Sources;
using Feeds.Core.Storage;

namespace Feeds.Core.Publishing;

/// <summary>
/// The absolute URLs of a saved search: <c>/search?q=</c> for people and <c>/search/rss|atom|json?q=</c> for readers,
/// always with the query in its canonical spelling, so every spelling of a search is one feed with one id and ETag.
/// </summary>
public sealed record SearchLinks(Uri BaseUri, SearchQuery Query) : IFeedLinks
{
    private string QueryParameter => "q=" + Uri.EscapeDataString(Query.Canonical);

    public Uri Page => new(BaseUri, "search?" + QueryParameter);

    public Uri PageAt(ItemCursor cursor) =>
        cursor == ItemCursor.Newest ? Page : new Uri(BaseUri, $"search?{QueryParameter}&before={cursor.Token}");

    public Uri Feed(OutputFormat format, ItemCursor? cursor = null) =>
        new(BaseUri, $"search/{SectionLinks.FormatSegment(format)}?{QueryParameter}{SectionLinks.CursorQuery(cursor, "&")}");

    public Uri Item(StoredItem item) => SectionLinks.ArticleOr(item, new Uri(BaseUri, $"search?{QueryParameter}#item-{item.Id}"));

    public Uri Story(StoredItem item) => SectionLinks.ForStory(BaseUri, item.StoryId).Page;
}
