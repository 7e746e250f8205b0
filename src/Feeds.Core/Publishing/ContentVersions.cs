using System.Collections.Concurrent;
using Feeds.Core.Sources;
using Feeds.Core.Storage;

namespace Feeds.Core.Publishing;

/// <summary>
/// Numbers that grow whenever what a document shows changes: a section's (its sources' items) and the whole store's
/// (every section, for the index). <see cref="RenderCache"/> keeps a rendering while its number stays the same.
/// </summary>
/// <remarks>
/// A section's number is the sum of its sources' versions, which only grow. Summing costs a look-up per source, so the
/// sum is remembered with the store's version it was taken at and taken again only after the store changed: with
/// nothing polled, a request for any page costs one read of a counter, however many sources the section has.
/// </remarks>
public sealed class ContentVersions(IPublishingStore store)
{
    private readonly ConcurrentDictionary<string, Summed> _sections = new(StringComparer.Ordinal);

    /// <summary>Grows when any source's items change: what the index, which shows every section, is versioned by.</summary>
    public long All() => store.GetStoreVersion();

    /// <summary>Grows when one of the section's sources changes its items.</summary>
    public long Section(FeedsConfig config, Section section)
    {
        // Read first: a source that changes while we sum makes the store's version newer than the one kept, so the next
        // request sums again rather than trusting a sum that may have missed the change.
        var storeVersion = store.GetStoreVersion();
        if (_sections.TryGetValue(section.Id, out var summed) && summed.StoreVersion == storeVersion && ReferenceEquals(summed.Config, config))
            return summed.SectionVersion;
        var sectionVersion = config.SourcesOf(section).Sum(source => store.GetSourceVersion(source.Id));
        _sections[section.Id] = new Summed(config, storeVersion, sectionVersion);
        return sectionVersion;
    }

    private sealed record Summed(FeedsConfig Config, long StoreVersion, long SectionVersion);
}
