using Feeds.Core.Normalization;

namespace Feeds.Core.Storage;

/// <summary>A posting of the story-term index: a stored report published at <paramref name="PublishedMs"/> (unix ms) carries the term.</summary>
internal readonly record struct StoryPosting(string Term, long ItemId, long PublishedMs);

/// <summary>
/// The postings a poll read for its new reports' sought terms, and the choice, for each new report, of the few stored
/// reports worth comparing with it: those that share the most of its sought terms. Comparing is what costs
/// (<see cref="SameStory.Likeness"/> reads both reports' terms); choosing is counting, so a report's placement costs
/// at most <see cref="DbStoryIndex.ComparedPerItem"/> comparisons however many stored reports share its words.
/// </summary>
internal sealed class StoryPostings
{
    private readonly Dictionary<string, List<StoryPosting>> _byTerm = new(StringComparer.Ordinal);

    public StoryPostings(IEnumerable<StoryPosting> postings)
    {
        foreach (var posting in postings)
        {
            if (!_byTerm.TryGetValue(posting.Term, out var list))
                _byTerm[posting.Term] = list = [];
            list.Add(posting);
        }
    }

    /// <summary>
    /// Up to <paramref name="limit"/> stored reports published within <see cref="SameStory.Window"/> of
    /// <paramref name="publishedMs"/> that carry any of <paramref name="sought"/>, those sharing the most sought terms
    /// first, then the nearest in time, then the earliest stored; never one of <paramref name="excluded"/>.
    /// </summary>
    public IReadOnlyList<long> Nearest(IEnumerable<string> sought, long publishedMs, IReadOnlySet<long> excluded, int limit)
    {
        var window = (long)SameStory.Window.TotalMilliseconds;
        var shared = new Dictionary<long, (int Terms, long Distance)>();
        foreach (var term in sought)
        {
            foreach (var posting in _byTerm.GetValueOrDefault(term) ?? [])
            {
                var distance = Math.Abs(posting.PublishedMs - publishedMs);
                if (distance > window || excluded.Contains(posting.ItemId))
                    continue;
                shared[posting.ItemId] = (shared.GetValueOrDefault(posting.ItemId).Terms + 1, distance);
            }
        }
        return shared
            .OrderByDescending(s => s.Value.Terms).ThenBy(s => s.Value.Distance).ThenBy(s => s.Key)
            .Take(limit)
            .Select(s => s.Key)
            .ToList();
    }
}
