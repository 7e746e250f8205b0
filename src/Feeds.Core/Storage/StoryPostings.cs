using System.Globalization;
using Feeds.Core.Normalization;

namespace Feeds.Core.Storage;

/// <summary>A posting of the story-term index: a stored report published at <paramref name="PublishedMs"/> (unix ms) carries the term.</summary>
internal readonly record struct StoryPosting(string Term, long ItemId, long PublishedMs);

/// <summary>
/// The postings a poll read for its reports' telling terms, which of those terms are too common to be sought
/// (<see cref="IsCommon"/>), and the choice, for each new report, of the few stored
/// reports worth comparing with it: those that share the most of its sought terms. Comparing is what costs
/// (<see cref="SameStory.Likeness"/> reads both reports' terms); choosing is counting, so a report's placement costs
/// at most <see cref="DbStoryIndex.ComparedPerItem"/> comparisons however many stored reports share its words.
/// </summary>
internal sealed class StoryPostings
{
    private readonly Dictionary<string, List<StoryPosting>> _byTerm = new(StringComparer.Ordinal);
    private readonly HashSet<string> _common = new(StringComparer.Ordinal);

    /// <summary>Postings of terms none of which is common.</summary>
    public StoryPostings(IEnumerable<StoryPosting> postings)
    {
        foreach (var posting in postings)
        {
            if (!_byTerm.TryGetValue(posting.Term, out var list))
                _byTerm[posting.Term] = list = [];
            list.Add(posting);
        }
    }

    private StoryPostings()
    {
    }

    /// <summary>
    /// The postings as the index read gives them: a row a term, its postings joined into one text, "item time item
    /// time …" (null for none), at most <paramref name="commonReports"/> + 1 of them. A common term's are not parsed.
    /// </summary>
    public static StoryPostings Parse(IEnumerable<(string Term, string? Joined)> rows, int commonReports)
    {
        var postings = new StoryPostings();
        foreach (var (term, joined) in rows)
        {
            if (joined is null)
                continue;
            var numbers = joined.AsSpan();
            // Two numbers a posting, one space between each.
            if ((numbers.Count(' ') + 1) / 2 > commonReports)
            {
                postings._common.Add(term);
                continue;
            }
            var list = postings._byTerm[term] = [];
            while (!numbers.IsEmpty)
                list.Add(new StoryPosting(term, Next(ref numbers), Next(ref numbers)));
        }
        return postings;
    }

    /// <summary>The number at the start of <paramref name="numbers"/>, which is left at the one after it.</summary>
    private static long Next(ref ReadOnlySpan<char> numbers)
    {
        var end = numbers.IndexOf(' ');
        var number = long.Parse(end < 0 ? numbers : numbers[..end], CultureInfo.InvariantCulture);
        numbers = end < 0 ? [] : numbers[(end + 1)..];
        return number;
    }

    /// <summary>Whether <paramref name="term"/> is carried by more reports than a term that tells an event: it is then neither sought nor posted.</summary>
    public bool IsCommon(string term) => _common.Contains(term);

    /// <summary>How many postings of <paramref name="terms"/> were read.</summary>
    public int CountOf(IEnumerable<string> terms) => terms.Sum(term => _byTerm.GetValueOrDefault(term)?.Count ?? 0);

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
