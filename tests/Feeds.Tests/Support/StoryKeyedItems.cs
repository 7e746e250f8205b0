using Feeds.Core.Normalization;

namespace Feeds.Tests.Support;

/// <summary>Items written by hand in a test, given the story keys and terms normalization would have given them.</summary>
public static class StoryKeyedItems
{
    /// <summary>The item with the <see cref="StoryKeys"/> of its link and title and the <see cref="StoryTerms"/> of its title and teaser, as <see cref="FeedNormalizer"/> sets them.</summary>
    public static NormalizedItem WithStoryKeys(this NormalizedItem item) =>
        item with
        {
            LinkKey = StoryKeys.LinkKey(item.Link),
            HeadlineKey = StoryKeys.HeadlineKey(item.Title),
            StoryTerms = StoryTerms.Of(item.Title, item.SummaryText),
        };
}
