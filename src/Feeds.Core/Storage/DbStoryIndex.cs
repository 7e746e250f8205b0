using System.Data.Common;
using Dapper;
using Feeds.Core.Normalization;

namespace Feeds.Core.Storage;

/// <summary>An item a poll has just stored for the first time, to be placed in its story.</summary>
internal sealed record NewItem(long Id, string SourceId, long PublishedMs, NormalizedItem Item);

/// <summary>
/// Places the new items of a poll in their stories, in the poll's transaction: it finds the reports they may share a
/// story with through the index of story terms (reports published within <see cref="SameStory.Window"/> that share a
/// name or figure with one of them: only those are posted) and the story keys, lets <see cref="SameStory.StoryFor"/> choose for each, and
/// indexes the new items' terms. Incremental and batched: a poll costs a few statements whatever its number of items,
/// and reads only the window's postings of its own terms, never the whole store.
/// </summary>
/// <remarks>
/// A poll is one source's, and a source's items never join each other's stories by their words (see
/// <see cref="SameStory.Likeness"/>), so the items of one poll are placed against what was stored before it, and against
/// each other only by their canonical links. Only new items are placed: an item a later poll changes keeps its story,
/// so a story's id and members never move under a reader. An item that starts a story is left with no story id: its
/// own id is its story's (the reads say <c>coalesce(story_id, id)</c>).
/// </remarks>
internal abstract class DbStoryIndex
{
    /// <summary>
    /// At most this many postings are read per new item: a term in more reports of the window than that tells nothing
    /// of which event, and a poll's cost stays bounded however common its words.
    /// </summary>
    private const int PostingsPerItem = 200;

    /// <summary>Places <paramref name="items"/>, just inserted by the poll's transaction, in their stories. Virtual for the ingest benchmark's baseline (bench/stories), which places nothing.</summary>
    public virtual async Task PlaceAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<NewItem> items, CancellationToken cancellationToken)
    {
        if (items.Count == 0)
            return;
        await SerializePlacementsAsync(connection, transaction, cancellationToken);
        var window = (long)SameStory.Window.TotalMilliseconds;
        var (from, to) = (items.Min(i => i.PublishedMs) - window, items.Max(i => i.PublishedMs) + window);
        var sought = items.SelectMany(i => SoughtTerms(i.Item.StoryTerms)).Distinct(StringComparer.Ordinal).ToList();
        var candidates = (await connection.QueryAsync<CandidateRow>(new CommandDefinition(
            $"""
            SELECT i.id AS Id, coalesce(i.story_id, i.id) AS StoryId, i.source_id AS SourceId, i.published_at AS PublishedAt,
                   i.link_key AS LinkKey, i.headline_key AS HeadlineKey, i.story_terms AS StoryTerms
            FROM items i
            WHERE i.id IN (
                SELECT postings.item_id FROM (
                    SELECT item_id FROM story_terms
                    WHERE {IsIn("term", "@terms")} AND published_at BETWEEN @from AND @to
                    LIMIT @postings) postings
                UNION SELECT id FROM items WHERE {IsIn("link_key", "@linkKeys")}
                UNION SELECT id FROM items WHERE {IsIn("headline_key", "@headlineKeys")} AND published_at BETWEEN @from AND @to)
            """,
            new
            {
                terms = List(sought), from, to, postings = PostingsPerItem * items.Count,
                linkKeys = List(items.Select(i => i.Item.LinkKey).OfType<string>().Distinct().ToList()),
                headlineKeys = List(items.Select(i => i.Item.HeadlineKey).OfType<string>().Distinct().ToList()),
            },
            transaction, cancellationToken: cancellationToken)))
            .Select(row => row.ToCandidate())
            .ToList();
        var newIds = items.Select(i => i.Id).ToHashSet();
        var placed = new CandidateIndex(candidates.Where(c => !newIds.Contains(c.Id)));

        var joined = new List<(long Id, long StoryId)>();
        // Oldest first, so the earliest report of a story in one poll is the one the others join.
        foreach (var item in items.OrderBy(i => i.PublishedMs).ThenBy(i => i.Id))
        {
            var self = new StoryCandidate(item.Id, null, item.SourceId, DateTimeOffset.FromUnixTimeMilliseconds(item.PublishedMs),
                item.Item.LinkKey, item.Item.HeadlineKey, item.Item.StoryTerms);
            var storyId = SameStory.StoryFor(self, placed.Near(self)) ?? item.Id;
            if (storyId != item.Id)
                joined.Add((item.Id, storyId));
            // Later items of this poll are the same source's: they may meet this one by its keys alone.
            placed.AddByKeys(self with { StoryId = storyId });
        }
        if (joined.Count > 0)
            await SetStoriesAsync(connection, transaction, joined, cancellationToken);
        // Only the terms reports are sought by are posted: the index stays a few rows an item.
        var postings = items
            .SelectMany(i => SoughtTerms(i.Item.StoryTerms).Select(term => (term, i.PublishedMs, i.Id)))
            .ToList();
        if (postings.Count > 0)
            await IndexTermsAsync(connection, transaction, postings, cancellationToken);
    }

    /// <summary>
    /// The terms a report's candidates are sought by: its names and figures, which reports of one event share and
    /// reports of others rarely do; all its terms when it has fewer than two.
    /// </summary>
    private static IEnumerable<string> SoughtTerms(StoryTerms? terms)
    {
        if (terms is null)
            return [];
        var telling = terms.Weights.Where(w => w.Value > StoryTerms.WordWeight).Select(w => w.Key).ToList();
        return telling.Count >= 2 ? telling : terms.Words;
    }

    /// <summary>
    /// Waits, in the poll's transaction, until no other poll is placing items: two polls placing reports of one story at
    /// once would not see each other's and would start two stories. A store whose writes are serialized anyway does nothing.
    /// </summary>
    protected virtual Task SerializePlacementsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    /// <summary>Sets the story of each item that joined one, in one statement.</summary>
    protected abstract Task SetStoriesAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<(long Id, long StoryId)> joined, CancellationToken cancellationToken);

    /// <summary>Adds the postings (term, the item's published time, the item) to the index, in one statement.</summary>
    protected abstract Task IndexTermsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<(string Term, long PublishedMs, long ItemId)> postings, CancellationToken cancellationToken);

    /// <summary>The condition that <paramref name="column"/> is one of the values in <paramref name="listParameter"/>, bound with <see cref="List"/>.</summary>
    protected abstract string IsIn(string column, string listParameter);

    /// <summary>A list as one parameter, however long.</summary>
    protected abstract object List(IReadOnlyCollection<string> values);

    /// <summary>The placed reports, found by the terms sought and the keys of the report being placed.</summary>
    private sealed class CandidateIndex
    {
        private readonly Dictionary<string, List<StoryCandidate>> _byTerm = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<StoryCandidate>> _byKey = new(StringComparer.Ordinal);

        public CandidateIndex(IEnumerable<StoryCandidate> candidates)
        {
            foreach (var candidate in candidates)
                Add(candidate);
        }

        private void Add(StoryCandidate candidate)
        {
            foreach (var term in candidate.Terms?.Words ?? [])
                Append(_byTerm, term, candidate);
            AddByKeys(candidate);
        }

        public void AddByKeys(StoryCandidate candidate)
        {
            if (candidate.LinkKey is { } link)
                Append(_byKey, "link:" + link, candidate);
            if (candidate.HeadlineKey is { } headline)
                Append(_byKey, "headline:" + headline, candidate);
        }

        public IEnumerable<StoryCandidate> Near(StoryCandidate item)
        {
            var keys = new[] { item.LinkKey is { } link ? "link:" + link : null, item.HeadlineKey is { } headline ? "headline:" + headline : null };
            return SoughtTerms(item.Terms).SelectMany(term => _byTerm.GetValueOrDefault(term) ?? [])
                .Concat(keys.OfType<string>().SelectMany(key => _byKey.GetValueOrDefault(key) ?? []))
                .Distinct();
        }

        private static void Append(Dictionary<string, List<StoryCandidate>> index, string key, StoryCandidate candidate)
        {
            if (!index.TryGetValue(key, out var list))
                index[key] = list = [];
            list.Add(candidate);
        }
    }

    /// <summary>A candidate row as both stores return it (times in unix ms).</summary>
    private sealed record CandidateRow
    {
        public long Id { get; init; }
        public long StoryId { get; init; }
        public string SourceId { get; init; } = "";
        public long PublishedAt { get; init; }
        public string? LinkKey { get; init; }
        public string? HeadlineKey { get; init; }
        public string? StoryTerms { get; init; }

        public StoryCandidate ToCandidate() => new(Id, StoryId, SourceId, DateTimeOffset.FromUnixTimeMilliseconds(PublishedAt),
            LinkKey, HeadlineKey, Normalization.StoryTerms.Parse(StoryTerms));
    }
}
