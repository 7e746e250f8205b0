using System.Data.Common;
using Dapper;
using Feeds.Core.Metrics;
using Feeds.Core.Normalization;

namespace Feeds.Core.Storage;

/// <summary>An item a poll has just written: stored for the first time (to be placed in its story), or changed.</summary>
internal sealed record WrittenItem(long Id, string SourceId, long PublishedMs, NormalizedItem Item);

/// <summary>
/// Places the new items of a poll in their stories, in the poll's transaction: it finds the reports they may share a
/// story with through the index of story terms (reports published within <see cref="SameStory.Window"/> that share a
/// name or figure with one of them: only those are posted) and the story keys, lets <see cref="SameStory.StoryFor"/> choose for each, and
/// indexes the new items' terms. What placement reads of a stored report (source, time, story, keys, terms) is kept in
/// the narrow <c>story_reports</c>, written here when an item is placed or changed and removed with its item (a foreign
/// key's cascade). Incremental and batched: a poll costs a few statements whatever its number of items.
/// </summary>
/// <remarks>
/// <para>
/// A placement's cost is bounded whatever the catalogue, as news shares names: a place or a person in the day's news
/// is in hundreds of reports. A term in more than <see cref="CommonTermReports"/> reports of the poll's window is
/// neither sought nor posted: it tells which subject, not which event, and its postings would only ever count it. So the
/// index holds about that many postings of a term per window, the first reports to carry it. Of the reports that carry the sought terms, only the
/// <see cref="ComparedPerItem"/> sharing the most of them are compared (<see cref="StoryPostings.Nearest"/>), and of
/// those sharing a story key only the earliest <see cref="ReportsPerKey"/> per key (the certain rules take the earliest).
/// The stories of the reports found are judged by their reports: the latest <see cref="ReportsPerStory"/> of each are
/// read and compared too, with those of the poll's source. So a poll reads at most <see cref="CommonTermReports"/>
/// postings per sought term, and reads and compares a few dozen stored reports per new item, a few hundred at most
/// (their terms in the stored form, <see cref="StoryTerms.SimilarityTo"/>).
/// </para>
/// <para>
/// A poll is one source's, and a source's items never join each other's stories by their words (see
/// <see cref="SameStory.Likeness"/>), so the items of one poll are placed against what was stored before it, and against
/// each other only by their canonical links. Only new items are placed: an item a later poll changes keeps its story,
/// so a story's id and members never move under a reader, while later reports are compared with (and find it by) its
/// new keys and terms. An item's story is kept in its report alone (<c>story_reports.story_id</c>, its own id
/// when it starts one), not in its wide <c>items</c> row. Every stored item has a report: one is written for each item a
/// poll adds, and migrations (SQLite 0015 and 0016, PostgreSQL 0013 and 0014) wrote those of items stored before. The
/// reads of a story read the reports; the reads of items join them with a left join
/// (<c>coalesce(r.story_id, i.id)</c>), so that a page never loses an item for want of one.
/// </para>
/// </remarks>
internal abstract class DbStoryIndex
{
    /// <summary>
    /// A term carried by more reports of the window than this is neither sought nor posted: every report on a busy
    /// subject carries it, so it tells nothing of which event (and reading its postings would cost in proportion to the catalogue).
    /// </summary>
    internal const int CommonTermReports = 32;

    /// <summary>At most this many stored reports found by their terms are compared with a new report: those sharing the most of its sought terms.</summary>
    internal const int ComparedPerItem = 16;

    /// <summary>At most this many reports of a story found are read to judge it by, the latest (see <see cref="ReadStoryReportsAsync"/>).</summary>
    internal const int ReportsPerStory = 16;

    /// <summary>At most this many reports sharing a story key are read per key, the earliest first, as the certain rules join the earliest.</summary>
    internal const int ReportsPerKey = 4;

    // The statements, written once per store (their lists are bound in the store's dialect, see Values).
    private string? _commonTermsSql, _postingsSql, _candidatesSql, _storyReportsSql;

    /// <summary>
    /// Places <paramref name="added"/>, just inserted by the poll's transaction, in their stories, and follows the edits of
    /// <paramref name="changed"/> (their new keys and terms, for the reports placed after them; they keep their stories).
    /// Virtual for the ingest benchmark's baseline (bench/stories), which places nothing.
    /// </summary>
    public virtual async Task PlaceAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<WrittenItem> added,
        IReadOnlyList<WrittenItem> changed, CancellationToken cancellationToken)
    {
        if (added.Count == 0 && changed.Count == 0)
            return;
        var written = added.Concat(changed).ToList();
        var telling = written.ToDictionary(i => i.Id, i => SoughtTerms(i.Item.StoryTerms));
        await SerializePlacementsAsync(connection, transaction, cancellationToken);
        // An edited report is sought by its new terms only.
        if (changed.Count > 0)
            await connection.ExecuteAsync(new CommandDefinition(
                $"DELETE FROM story_terms WHERE item_id IN {Values("@ids")}",
                new { ids = List(changed.Select(i => i.Id).ToList()) }, transaction, cancellationToken: cancellationToken));
        var window = (long)SameStory.Window.TotalMilliseconds;
        var (from, to) = (written.Min(i => i.PublishedMs) - window, written.Max(i => i.PublishedMs) + window);
        var common = await CommonTermsAsync(connection, transaction, Distinct(telling.Values), from, to, cancellationToken);
        var sought = telling.ToDictionary(t => t.Key, t => t.Value.Where(term => !common.Contains(term)).ToList());
        var stories = await PlaceAddedAsync(connection, transaction, added, sought, from, to, cancellationToken);
        await SaveReportsAsync(connection, transaction,
            added.Select(i => Report(i, stories[i.Id]))
                // A changed report keeps its story: the id given here is used only if it has no report stored yet.
                .Concat(changed.Select(i => Report(i, i.Id)))
                .ToList(),
            cancellationToken);
        // Only the terms reports are sought by are posted, and not those too common to be sought: the index stays a few
        // rows an item, and at most about CommonTermReports postings of a term in a window.
        var newPostings = written
            .SelectMany(i => sought[i.Id].Select(term => (term, i.PublishedMs, i.Id)))
            .ToList();
        if (newPostings.Count > 0)
            await IndexTermsAsync(connection, transaction, newPostings, cancellationToken);
    }

    private static StoryReport Report(WrittenItem item, long storyId) =>
        new(item.Id, item.SourceId, item.PublishedMs, storyId, item.Item.LinkKey, item.Item.HeadlineKey, item.Item.StoryTerms?.ToString());

    /// <summary>Chooses the story of each of <paramref name="items"/>: gives each item's story id (its own when it starts one), which its report keeps.</summary>
    private async Task<Dictionary<long, long>> PlaceAddedAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<WrittenItem> items,
        Dictionary<long, List<string>> sought, long from, long to, CancellationToken cancellationToken)
    {
        var stories = new Dictionary<long, long>();
        if (items.Count == 0)
            return stories;
        var newIds = items.Select(i => i.Id).ToHashSet();
        var postings = await ReadPostingsAsync(connection, transaction, Distinct(items.Select(i => sought[i.Id])), from, to, cancellationToken);
        var nearest = items.ToDictionary(i => i.Id, i => postings.Nearest(sought[i.Id], i.PublishedMs, newIds, ComparedPerItem));
        var candidates = await ReadCandidatesAsync(connection, transaction, items, nearest.Values.SelectMany(ids => ids).Distinct().ToList(), newIds, from, to, cancellationToken);
        var byKeys = new KeyedCandidates(candidates.Values);
        var storyReports = await ReadStoryReportsAsync(connection, transaction,
            candidates.Values.Select(c => c.StoryId!.Value).Distinct().ToList(), items.Select(i => i.SourceId).Distinct().ToList(), from, to, cancellationToken);

        // Oldest first, so the earliest report of a story in one poll is the one the others join.
        foreach (var item in items.OrderBy(i => i.PublishedMs).ThenBy(i => i.Id))
        {
            var self = new StoryCandidate(item.Id, null, item.SourceId, DateTimeOffset.FromUnixTimeMilliseconds(item.PublishedMs),
                item.Item.LinkKey, item.Item.HeadlineKey, item.Item.StoryTerms);
            // A report found both by its terms and by a key is compared twice: StoryFor's choice is the same.
            var found = nearest[item.Id].Select(id => candidates.GetValueOrDefault(id)).OfType<StoryCandidate>()
                .Concat(byKeys.Sharing(self))
                .ToList();
            var foundIds = found.Select(c => c.Id).ToHashSet();
            // The stories found are judged by their reports (SameStory.StoryFor), those found or not.
            var compared = found
                .Concat(found.Select(c => c.StoryId!.Value).Distinct()
                    .SelectMany(story => storyReports.GetValueOrDefault(story) ?? [])
                    .Where(r => !foundIds.Contains(r.Id)))
                .ToList();
            FeedsMetrics.RecordStoryPlacement(compared.Count);
            var storyId = SameStory.StoryFor(self, compared) ?? item.Id;
            stories[item.Id] = storyId;
            var placed = self with { StoryId = storyId };
            // Later items of this poll are the same source's: they may meet this one by its keys alone, and a story it
            // joined is one their source has told. (One it starts they can join by a certain match only, as any story
            // of their source.)
            byKeys.Add(placed);
            if (storyId != item.Id)
                (storyReports.TryGetValue(storyId, out var reports) ? reports : storyReports[storyId] = []).Add(placed);
        }
        return stories;
    }

    /// <summary>At most this many reports are read again in one transaction by <see cref="RereadTermsAsync"/>.</summary>
    private const int RereadBatch = 1_000;

    /// <summary>
    /// Reads again, from their items' headlines and ledes, the terms of the reports published within
    /// <see cref="SameStory.Window"/> of the newest, when the store's were read another way than this build reads them
    /// (<see cref="StoryTerms.Reading"/>, kept in <c>story_terms_reading</c>): a report's terms are compared only with
    /// terms read the same way, and a new report would otherwise not find the window's reports by their names. Reports
    /// keep their stories; their terms and postings change as those of an item a poll edits do. Older reports are left
    /// as they are: no new report is compared with them. Run at start, after the migrations; returns how many reports
    /// were read again.
    /// </summary>
    public async Task<int> RereadTermsAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var reading = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT reading FROM story_terms_reading", cancellationToken: cancellationToken));
        if (reading == StoryTerms.Reading)
            return 0;
        var reread = 0;
        if (await connection.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT max(published_at) FROM story_reports", cancellationToken: cancellationToken)) is { } newest)
        {
            var since = newest - (long)SameStory.Window.TotalMilliseconds;
            for (var after = long.MinValue; ;)
            {
                var batch = (await connection.QueryAsync<ReportText>(new CommandDefinition(
                    """
                    SELECT r.item_id AS Id, r.source_id AS SourceId, r.published_at AS PublishedMs, i.item_key AS ItemKey,
                           i.content_hash AS ContentHash, i.title AS Title, i.summary_text AS SummaryText,
                           r.link_key AS LinkKey, r.headline_key AS HeadlineKey
                    FROM story_reports r JOIN items i ON i.id = r.item_id
                    WHERE r.published_at >= @since AND r.item_id > @after
                    ORDER BY r.item_id LIMIT @batch
                    """,
                    new { since, after, batch = RereadBatch }, cancellationToken: cancellationToken))).ToList();
                if (batch.Count == 0)
                    break;
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await PlaceAsync(connection, transaction, [], batch.Select(report => report.ToWritten()).ToList(), cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                reread += batch.Count;
                after = batch[^1].Id;
            }
        }
        await connection.ExecuteAsync(new CommandDefinition("UPDATE story_terms_reading SET reading = @reading",
            new { reading = StoryTerms.Reading }, cancellationToken: cancellationToken));
        return reread;
    }

    /// <summary>What <see cref="RereadTermsAsync"/> reads of a report and its item: its terms are read again from the item's headline and lede, as normalize read them.</summary>
    private sealed class ReportText
    {
        public long Id { get; init; }
        public string SourceId { get; init; } = "";
        public long PublishedMs { get; init; }
        public string ItemKey { get; init; } = "";
        public string ContentHash { get; init; } = "";
        public string? Title { get; init; }
        public string? SummaryText { get; init; }
        public string? LinkKey { get; init; }
        public string? HeadlineKey { get; init; }

        public WrittenItem ToWritten() => new(Id, SourceId, PublishedMs, new NormalizedItem
        {
            Key = ItemKey,
            ContentHash = ContentHash,
            Title = Title,
            SummaryText = SummaryText,
            LinkKey = LinkKey,
            HeadlineKey = HeadlineKey,
            StoryTerms = StoryTerms.Of(Title, SummaryText),
        });
    }

    /// <summary>
    /// The reports of <paramref name="stories"/> (the stories of the reports found), by which <see cref="SameStory.StoryFor"/>
    /// judges them: a story is joined by a report alike to at least half of its reports, not only to those the report's
    /// terms found, and not at all when it holds a report of the report's source. So they are read: the latest
    /// <see cref="ReportsPerStory"/> of each between <paramref name="from"/> and <paramref name="to"/>, and every one of
    /// <paramref name="sources"/> (the poll's).
    /// </summary>
    private async Task<Dictionary<long, List<StoryCandidate>>> ReadStoryReportsAsync(DbConnection connection, DbTransaction transaction,
        IReadOnlyList<long> stories, IReadOnlyList<string> sources, long from, long to, CancellationToken cancellationToken)
    {
        if (stories.Count == 0)
            return [];
        var rows = await connection.QueryAsync<CandidateRow>(new CommandDefinition(
            _storyReportsSql ??= $"""
                SELECT r.item_id AS Id, r.story_id AS StoryId, r.source_id AS SourceId, r.published_at AS PublishedAt,
                       r.link_key AS LinkKey, r.headline_key AS HeadlineKey, r.story_terms AS StoryTerms
                FROM story_reports r
                WHERE r.item_id IN (
                    SELECT item_id FROM (
                        SELECT item_id, row_number() OVER (PARTITION BY story_id ORDER BY published_at DESC, item_id DESC) AS n
                        FROM story_reports WHERE {IsIn("story_id", "@stories")} AND published_at BETWEEN @from AND @to) latest
                    WHERE n <= @perStory
                    UNION ALL SELECT item_id FROM story_reports WHERE {IsIn("story_id", "@stories")} AND {IsIn("source_id", "@sources")})
                """,
            new { stories = List(stories), sources = List(sources), from, to, perStory = ReportsPerStory },
            transaction, cancellationToken: cancellationToken));
        return rows.Select(row => row.ToCandidate()).GroupBy(report => report.StoryId!.Value).ToDictionary(g => g.Key, g => g.ToList());
    }

    /// <summary>
    /// The terms a report's candidates are sought by: its names and figures, which reports of one event share and
    /// reports of others rarely do; all its terms when it has fewer than two.
    /// </summary>
    private static IReadOnlyList<string> SoughtTerms(StoryTerms? terms)
    {
        if (terms is null)
            return [];
        var telling = terms.Weights.Where(w => w.Value > StoryTerms.WordWeight).Select(w => w.Key).ToList();
        return telling.Count >= 2 ? telling : [.. terms.Words];
    }

    private static List<string> Distinct(IEnumerable<IEnumerable<string>> terms) => terms.SelectMany(t => t).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Those of <paramref name="terms"/> carried by more than <see cref="CommonTermReports"/> reports published between
    /// <paramref name="from"/> and <paramref name="to"/>: each counted only that far, so the cost is bounded per term.
    /// </summary>
    private async Task<HashSet<string>> CommonTermsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<string> terms, long from, long to, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<string>(new CommandDefinition(
            _commonTermsSql ??= $"""
                SELECT sought.value FROM {Values("@terms")} sought
                WHERE (SELECT count(*) FROM (
                          SELECT 1 FROM story_terms WHERE term = sought.value AND published_at BETWEEN @from AND @to LIMIT @common + 1
                      ) reports) > @common
                """,
            new { terms = List(terms), from, to, common = CommonTermReports }, transaction, cancellationToken: cancellationToken)))
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>The postings of <paramref name="terms"/> (none of them common: at most <see cref="CommonTermReports"/> each) between <paramref name="from"/> and <paramref name="to"/>.</summary>
    private async Task<StoryPostings> ReadPostingsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<string> terms, long from, long to, CancellationToken cancellationToken)
    {
        var read = (await connection.QueryAsync<StoryPosting>(new CommandDefinition(
            _postingsSql ??= $"""
                SELECT p.term AS Term, p.item_id AS ItemId, p.published_at AS PublishedMs
                FROM {LookUpEach("@terms", "story_terms", "p.term = sought.value AND p.published_at BETWEEN @from AND @to")}
                """,
            new { terms = List(terms), from, to }, transaction, cancellationToken: cancellationToken))).AsList();
        FeedsMetrics.RecordStoryPostingsRead(read.Count);
        return new StoryPostings(read);
    }

    /// <summary>
    /// The stored reports to compare the poll's items with, by id: the <paramref name="nearest"/> by their terms, and the
    /// earliest <see cref="ReportsPerKey"/> sharing each story key (a headline's within the window); never the poll's own.
    /// The keys are looked up in the items' indexes of them; the reports are read from the narrow <c>story_reports</c>,
    /// not from the items rows, which carry the whole article. The ids are listed with UNION ALL: IN takes each once
    /// however often it is listed, and removing the repeats first cost SQLite a temporary b-tree per poll.
    /// </summary>
    private async Task<Dictionary<long, StoryCandidate>> ReadCandidatesAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<WrittenItem> items,
        IReadOnlyList<long> nearest, IReadOnlyCollection<long> newIds, long from, long to, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<CandidateRow>(new CommandDefinition(
            _candidatesSql ??= $"""
                SELECT r.item_id AS Id, r.story_id AS StoryId, r.source_id AS SourceId, r.published_at AS PublishedAt,
                       r.link_key AS LinkKey, r.headline_key AS HeadlineKey, r.story_terms AS StoryTerms
                FROM story_reports r
                WHERE r.item_id IN (
                    SELECT value FROM {Values("@nearest")} nearest
                    UNION ALL {EarliestPerKey("link_key", "@linkKeys", $"NOT {IsIn("id", "@newIds")}")}
                    UNION ALL {EarliestPerKey("headline_key", "@headlineKeys", $"published_at BETWEEN @from AND @to AND NOT {IsIn("id", "@newIds")}")})
                """,
            new
            {
                nearest = List(nearest),
                newIds = List(newIds),
                from, to, perKey = ReportsPerKey,
                linkKeys = List(items.Select(i => i.Item.LinkKey).OfType<string>().Distinct().ToList()),
                headlineKeys = List(items.Select(i => i.Item.HeadlineKey).OfType<string>().Distinct().ToList()),
            },
            transaction, cancellationToken: cancellationToken)))
        .ToDictionary(row => row.Id, row => row.ToCandidate());

    /// <summary>
    /// Waits, in the poll's transaction, until no other poll is placing items: two polls placing reports of one story at
    /// once would not see each other's and would start two stories. A store whose writes are serialized anyway does nothing.
    /// </summary>
    protected virtual Task SerializePlacementsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    /// <summary>Writes the reports of placed or changed items to <c>story_reports</c>, in one statement; a changed item's keeps its story.</summary>
    protected abstract Task SaveReportsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<StoryReport> reports, CancellationToken cancellationToken);

    /// <summary>Adds the postings (term, the item's published time, the item) to the index, in one statement.</summary>
    protected abstract Task IndexTermsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<(string Term, long PublishedMs, long ItemId)> postings, CancellationToken cancellationToken);

    /// <summary>A list bound with <see cref="List{T}"/> as a table of one column, <c>value</c>, to select from.</summary>
    protected abstract string Values(string listParameter);

    /// <summary>
    /// The rows of <paramref name="table"/> (as <c>p</c>) that meet <paramref name="condition"/> for each value of the list
    /// <paramref name="listParameter"/> (as <c>sought.value</c>, which the condition names), looked up value by value.
    /// </summary>
    protected abstract string LookUpEach(string listParameter, string table, string condition);

    /// <summary>The condition that <paramref name="column"/> is one of the values of a list bound with <see cref="List{T}"/>.</summary>
    protected abstract string IsIn(string column, string listParameter);

    /// <summary>
    /// A query of the ids of the earliest <c>@perKey</c> items (by published time, then id) of each key of
    /// <paramref name="keyColumn"/> in the list <paramref name="keysParameter"/>, of those that meet <paramref name="condition"/>.
    /// </summary>
    protected abstract string EarliestPerKey(string keyColumn, string keysParameter, string condition);

    /// <summary>A list as one parameter, however long.</summary>
    protected abstract object List<T>(IReadOnlyCollection<T> values);

    /// <summary>The placed reports found by their story keys, and the items of this poll placed so far.</summary>
    private sealed class KeyedCandidates
    {
        private readonly Dictionary<string, List<StoryCandidate>> _byLink = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<StoryCandidate>> _byHeadline = new(StringComparer.Ordinal);

        public KeyedCandidates(IEnumerable<StoryCandidate> candidates)
        {
            foreach (var candidate in candidates)
                Add(candidate);
        }

        public void Add(StoryCandidate candidate)
        {
            if (candidate.LinkKey is { } link)
                Append(_byLink, link, candidate);
            if (candidate.HeadlineKey is { } headline)
                Append(_byHeadline, headline, candidate);
        }

        public IEnumerable<StoryCandidate> Sharing(StoryCandidate item) =>
            (item.LinkKey is { } link ? _byLink.GetValueOrDefault(link) ?? [] : [])
            .Concat(item.HeadlineKey is { } headline ? _byHeadline.GetValueOrDefault(headline) ?? [] : []);

        private static void Append(Dictionary<string, List<StoryCandidate>> index, string key, StoryCandidate candidate)
        {
            if (!index.TryGetValue(key, out var list))
                index[key] = list = [];
            list.Add(candidate);
        }
    }

    /// <summary>A row of <c>story_reports</c>: what placement reads of a stored report (times in unix ms, the terms in their stored form).</summary>
    internal sealed record StoryReport(long ItemId, string SourceId, long PublishedMs, long StoryId, string? LinkKey, string? HeadlineKey, string? StoryTerms);

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
