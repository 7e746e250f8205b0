using Feeds.Core.Sources;
using Feeds.Core.Storage;

namespace Feeds.Core.Publishing;

/// <summary>
/// Serves a story's feeds through the <see cref="RenderCache"/>, as <see cref="SectionFeeds"/> serves a section's: each
/// (story, format, page, base URL) is rendered once and kept until the store changes (or the config does).
/// </summary>
public sealed class StoryFeeds(StoryPages stories, RenderCache cache, ContentVersions versions)
{
    /// <summary>The page of the story's feed at <paramref name="cursor"/> in <paramref name="format"/>; null when no story has the id.</summary>
    public async Task<RenderedDocument?> GetAsync(FeedsConfig config, long storyId, OutputFormat format, ItemCursor cursor, Uri baseUri,
        CancellationToken cancellationToken)
    {
        var version = versions.All();
        if (!await stories.ExistsAsync(storyId, cancellationToken))
            return null;
        var links = SectionLinks.ForStory(baseUri, storyId);
        return await cache.GetAsync(links.Feed(format, cursor), config, version, async () =>
        {
            // Gone since it was seen (retention): an empty feed of the story, rather than a failed render.
            var story = await stories.GetAsync(storyId, config.Stories.PreferredSources, CancellationToken.None);
            var page = story?.FeedPage(cursor, config.Publishing.ItemsPerFeed)
                ?? new SectionPage(new Section("story-" + storyId, "Story", ""), cursor, [], null, null);
            return SectionFeedWriter.Render(page, format, links, config.Publishing.Hub);
        }, cancellationToken);
    }
}
