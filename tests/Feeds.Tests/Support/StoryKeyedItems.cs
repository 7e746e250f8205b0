using Feeds.Core.Normalization;

namespace Feeds.Tests.Support;

/// <summary>Items written by hand in a test, given the story keys normalization would have given them.</summary>
public static class StoryKeyedItems
{
    /// <summary>The item with the <see cref="StoryKeys"/> of its link and title, as <see cref="FeedNormalizer"/> sets them.</summary>
    public static NormalizedItem WithStoryKeys(this NormalizedItem item) =>
        item with { LinkKey = StoryKeys.LinkKey(item.Link), HeadlineKey = StoryKeys.HeadlineKey(item.Title) };
}
