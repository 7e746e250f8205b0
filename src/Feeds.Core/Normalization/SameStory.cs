namespace Feeds.Core.Normalization;

/// <summary>An item as story clustering sees it: when and where it was published, its story keys and terms, and its story once it has one.</summary>
/// <param name="StoryId">The story the item belongs to; null for the item being placed.</param>
public sealed record StoryCandidate(long Id, long? StoryId, string SourceId, DateTimeOffset PublishedAt, string? LinkKey, string? HeadlineKey, StoryTerms? Terms);

/// <summary>
/// Whether two reports tell the same story, and which story a new report joins. Certain matches first: the same
/// canonical link is the same article from any source, and the same folded headline from another source within the
/// window is the same story (<see cref="StoryKeys"/>). Otherwise reports from different sources published within the
/// window whose headline-and-lede terms are alike (<see cref="StoryTerms.SimilarityTo"/> at least <see cref="Threshold"/>) are the
/// same story: paraphrases of one event share its names and numbers.
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
    /// The least likeness of two reports of one event. Reports of one event score mostly well above it, reports of
    /// another event of the same kind (two earthquakes, two budget votes) below it, as they share topic words but not
    /// names and numbers.
    /// </summary>
    public const double Threshold = 0.25;

    /// <summary>
    /// How fast likeness fades with the time between two reports: by a factor of e over this time, so a report a day
    /// after another must share about 1.6 times as much with it as one published beside it. The wires report an event
    /// within hours of each other; a report a day later that shares the setting's names (the same firm, court or
    /// race) is most often of the setting's next event: its results the day after its job cuts, the next stage of the race.
    /// </summary>
    public static readonly TimeSpan FadeTime = TimeSpan.FromHours(48);

    /// <summary>Whether the keys make the two the same story whatever their words.</summary>
    public static bool IsCertain(StoryCandidate item, StoryCandidate other) =>
        (item.LinkKey is not null && item.LinkKey == other.LinkKey)
        || (item.HeadlineKey is not null && item.HeadlineKey == other.HeadlineKey && item.SourceId != other.SourceId && WithinWindow(item, other));

    /// <summary>
    /// How alike the two reports are, in [0, 1]: the similarity of their terms, faded by the time between them
    /// (<see cref="FadeTime"/>); 0 outside the window, without terms, or from the same source: a source tells one
    /// event once, and its later items on the subject (a follow-up, the next day's market report) are stories of their own.
    /// </summary>
    public static double Likeness(StoryCandidate item, StoryCandidate other) =>
        item.SourceId != other.SourceId && WithinWindow(item, other) && item.Terms is { } terms && other.Terms is { } otherTerms
            ? terms.SimilarityTo(otherTerms) * Math.Exp(-(item.PublishedAt - other.PublishedAt).Duration() / FadeTime)
            : 0;

    /// <summary>
    /// The story <paramref name="item"/> joins among the stories of <paramref name="placed"/> (reports already in a
    /// story): the earliest certain match's, else the most alike report's at or above <see cref="Threshold"/>; null
    /// when none, and the item starts a story of its own.
    /// </summary>
    public static long? StoryFor(StoryCandidate item, IEnumerable<StoryCandidate> placed)
    {
        long? best = null;
        var bestLikeness = Threshold;
        StoryCandidate? certain = null;
        foreach (var other in placed)
        {
            if (other.StoryId is null || other.Id == item.Id)
                continue;
            if (IsCertain(item, other))
            {
                if (certain is null || IsEarlier(other, certain))
                    certain = other;
                continue;
            }
            var likeness = Likeness(item, other);
            if (likeness >= bestLikeness)
                (best, bestLikeness) = (other.StoryId, likeness);
        }
        return certain?.StoryId ?? best;
    }

    private static bool WithinWindow(StoryCandidate item, StoryCandidate other) => (item.PublishedAt - other.PublishedAt).Duration() <= Window;

    private static bool IsEarlier(StoryCandidate a, StoryCandidate b) =>
        a.PublishedAt < b.PublishedAt || (a.PublishedAt == b.PublishedAt && a.Id < b.Id);
}
