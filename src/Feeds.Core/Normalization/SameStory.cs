namespace Feeds.Core.Normalization;

/// <summary>An item as story clustering sees it: when and where it was published, its story keys and terms, and its story once it has one.</summary>
/// <param name="StoryId">The story the item belongs to; null for the item being placed.</param>
public sealed record StoryCandidate(long Id, long? StoryId, string SourceId, DateTimeOffset PublishedAt, string? LinkKey, string? HeadlineKey, StoryTerms? Terms);

/// <summary>
/// Whether two reports tell the same story, and which story a new report joins. Certain matches first: the same
/// canonical link is the same article from any source, and the same folded headline from another source within the
/// window is the same story (<see cref="StoryKeys"/>). Otherwise reports from different sources published within the
/// window are the same story when their headline-and-lede terms are alike enough for the time between them
/// (<see cref="IsAlike"/>): paraphrases of one event share its names and numbers, within hours of each other. A story
/// holds one report per source but for certain matches: a source tells an event once (<see cref="StoryFor"/>).
/// </summary>
/// <remarks>
/// A report joins the story of the report it matches best and never moves after: a story is never merged or split once
/// its members are placed, so its id (its first member's) and its members stay what readers were shown.
/// </remarks>
public static class SameStory
{
    /// <summary>Reports of one event further apart than this are different stories, however alike their words.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromHours(48);

    /// <summary>
    /// The least likeness of two reports of one event that share a name or a figure. Reports of one event score mostly
    /// well above it, reports of another event of the same kind (two earthquakes, two budget votes) below it, as they
    /// share topic words but not names and numbers. Low, as paraphrases share few words (a tabloid's splash and a
    /// wire's lede may share a place and two facts); what keeps a setting's other events apart is the fade, the rule of
    /// half and a source's one telling (<see cref="StoryFor"/>).
    /// </summary>
    public const double Threshold = 0.2;

    /// <summary>
    /// How fast the likeness of two reports that share a name or a figure fades with the time between them: by a factor
    /// of e over this time, so a report a day after another must share about 1.6 times as much with it as one published
    /// beside it. The wires report an event within hours of each other; a report a day later that shares the setting's
    /// names (the same firm, court or race) is most often of the setting's next event: its results the day after its
    /// job cuts, the next stage of the race.
    /// </summary>
    public static readonly TimeSpan FadeTime = TimeSpan.FromHours(48);

    /// <summary>
    /// The least likeness of two reports that share no name or figure, only words, whatever the time between them:
    /// words tell the subject (a fire, a market hall), and two reports on one subject share them whether or not they
    /// are of one event. The fade, which answers a setting's names coming back with its next event, is not for them.
    /// </summary>
    public const double ThresholdOnWordsAlone = 0.3;

    /// <summary>Whether the keys make the two the same story whatever their words.</summary>
    public static bool IsCertain(StoryCandidate item, StoryCandidate other) =>
        (item.LinkKey is not null && item.LinkKey == other.LinkKey)
        || (item.HeadlineKey is not null && item.HeadlineKey == other.HeadlineKey && item.SourceId != other.SourceId && WithinWindow(item, other));

    /// <summary>
    /// How alike the two reports are, in [0, 1]: the similarity of their terms, faded by the time between them when
    /// they share a name or a figure (<see cref="FadeTime"/>); 0 outside the window, without terms, or from the same
    /// source: a source tells one event once, and its later items on the subject (a follow-up, the next day's market
    /// report) are stories of their own.
    /// </summary>
    public static double Likeness(StoryCandidate item, StoryCandidate other) => Compare(item, other).Likeness;

    /// <summary>
    /// Whether the two reports are alike enough to be of one event: their <see cref="Likeness"/> at least
    /// <see cref="Threshold"/> when they share a name or a figure, else at least <see cref="ThresholdOnWordsAlone"/>.
    /// </summary>
    public static bool IsAlike(StoryCandidate item, StoryCandidate other) => Compare(item, other).IsAlike;

    private static (double Likeness, bool IsAlike) Compare(StoryCandidate item, StoryCandidate other)
    {
        if (!CanCompare(item, other) || item.Terms is not { } terms || other.Terms is not { } otherTerms)
            return (0, false);
        var (similarity, sharesNameOrFigure) = terms.CompareWith(otherTerms);
        if (!sharesNameOrFigure)
            return (similarity, similarity >= ThresholdOnWordsAlone);
        var likeness = similarity * Math.Exp(-(item.PublishedAt - other.PublishedAt).Duration() / FadeTime);
        return (likeness, likeness >= Threshold);
    }

    /// <summary>
    /// The story <paramref name="item"/> joins among the stories of <paramref name="placed"/> (reports already in a
    /// story): the earliest certain match's; else, of the stories its source has not told yet, the story of the most
    /// alike of the reports it <see cref="IsAlike"/>, when it is alike to at least half of that story's reports it can be
    /// compared with (those of <paramref name="placed"/> from other sources within the window); null when none, and the
    /// item starts a story of its own.
    /// </summary>
    /// <remarks>
    /// <para>
    /// A report of the event is like most reports of it. A report of the setting's other event (the firm's results the
    /// day after its job cuts, the tournament's other semi-final) is like only those that name the setting's firm or
    /// tournament, or that it names in passing ("a day after the cuts"); joined, it would be followed into the wrong
    /// story by every report of its own event that is like it. So a story is judged by all of its reports among
    /// <paramref name="placed"/> (the store passes those sharing most of the item's names and figures, and the latest
    /// reports of their stories), not by the most alike alone.
    /// </para>
    /// <para>
    /// A source tells an event once: a story is its reports of one event from different sources, and a source's next
    /// item on the setting (the lorry crash on the pass where its coach crash was, the final after its semi-final) is
    /// the setting's next event, whatever the words it shares with the story. So a story that holds a report of the
    /// item's source among <paramref name="placed"/> (the store passes the reports of its source in the stories it
    /// compares) is joined only by a certain match: the same article, or the same headline from another source.
    /// </para>
    /// </remarks>
    public static long? StoryFor(StoryCandidate item, IEnumerable<StoryCandidate> placed)
    {
        StoryCandidate? certain = null;
        // Per story: how many of its reports the item can be compared with, and how many of them it is alike to.
        var agreement = new Dictionary<long, (int Compared, int Alike)>();
        var alikeReports = new List<(StoryCandidate Report, double Likeness)>();
        var toldBySource = new HashSet<long>();
        foreach (var other in placed)
        {
            if (other.StoryId is not { } story || other.Id == item.Id)
                continue;
            if (other.SourceId == item.SourceId)
                toldBySource.Add(story);
            if (IsCertain(item, other))
            {
                if (certain is null || IsEarlier(other, certain))
                    certain = other;
                continue;
            }
            if (!CanCompare(item, other))
                continue;
            var (likeness, isAlike) = Compare(item, other);
            var (compared, alike) = agreement.GetValueOrDefault(story);
            agreement[story] = (compared + 1, alike + (isAlike ? 1 : 0));
            if (isAlike)
                alikeReports.Add((other, likeness));
        }
        if (certain is not null)
            return certain.StoryId;
        StoryCandidate? mostAlike = null;
        var bestLikeness = 0.0;
        foreach (var (report, likeness) in alikeReports)
        {
            if (!toldBySource.Contains(report.StoryId!.Value) && likeness >= bestLikeness)
                (mostAlike, bestLikeness) = (report, likeness);
        }
        if (mostAlike?.StoryId is not { } best)
            return null;
        var (reports, alikeTo) = agreement[best];
        return 2 * alikeTo >= reports ? best : null;
    }

    /// <summary>Whether <see cref="Likeness"/> can tell anything of the two: another source's report within the window.</summary>
    private static bool CanCompare(StoryCandidate item, StoryCandidate other) => item.SourceId != other.SourceId && WithinWindow(item, other);

    private static bool WithinWindow(StoryCandidate item, StoryCandidate other) => (item.PublishedAt - other.PublishedAt).Duration() <= Window;

    private static bool IsEarlier(StoryCandidate a, StoryCandidate b) =>
        a.PublishedAt < b.PublishedAt || (a.PublishedAt == b.PublishedAt && a.Id < b.Id);
}
