using Feeds.Core.Normalization;

/// <summary>
/// Polls of news items as sources publish them: events of the usual kinds (a vote, a fire, a strike, a result), each with
/// its own places, people and figures, reported by one to five sources within hours under different wordings, over ten
/// days; two events in five also name one of a few subjects of the day (a country, a leader), as real news names
/// "Ukraine" or "Trump" in hundreds of reports a day. Seeded, so every run saves the same items.
/// </summary>
internal static class NewsWorkload
{
    /// <summary>One source's poll: its items, newest first as a feed lists them.</summary>
    public sealed record Poll(string SourceId, IReadOnlyList<NormalizedItem> Items);

    private static readonly string[] Kinds =
    [
        "council budget vote", "warehouse fire", "rail strike", "election result", "bank merger", "earthquake", "storm flooding",
        "factory closure", "hospital cyberattack", "bridge collapse", "football final", "drug approval", "wildfire evacuation",
        "interest rate decision", "museum reopening", "ferry accident", "teachers pay deal", "airport expansion", "chip plant",
        "measles outbreak",
    ];

    private static readonly string[] Verbs =
    [
        "approves", "rejects", "hits", "destroys", "halts", "wins", "loses", "announces", "delays", "forces", "sparks", "ends",
        "opens", "closes", "backs", "warns", "confirms", "cuts", "raises", "suspends",
    ];

    private static readonly string[] Fillers =
    [
        "officials", "residents", "workers", "police", "investigators", "leaders", "analysts", "critics", "engineers", "voters",
        "overnight", "morning", "afternoon", "evening", "statement", "spokesperson", "emergency", "services", "plans", "talks",
        "agreement", "dispute", "crews", "families", "business", "city", "region", "country", "government", "minister",
    ];

    /// <summary>The subjects of the day: names in hundreds of reports of different events.</summary>
    private static readonly string[] Subjects = ["Ukraine", "Washington", "Brussels", "Beijing", "Starmer", "Macron"];

    private static readonly string[] Syllables = ["ka", "lo", "mer", "vin", "dal", "tor", "sen", "bri", "ost", "ham", "rel", "quin", "var", "zel", "mon", "pet", "ash", "ford", "ley", "wick"];

    public static IReadOnlyList<Poll> Polls(int sources, int itemsPerSource)
    {
        var random = new Random(16);
        var start = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var bySource = Enumerable.Range(0, sources).Select(_ => new List<NormalizedItem>()).ToList();
        var total = sources * itemsPerSource;
        var eventNumber = 0;
        while (bySource.Sum(items => items.Count) < total)
        {
            var kind = Kinds[random.Next(Kinds.Length)];
            var place = Name(random);
            var person = Name(random) + " " + Name(random);
            var figure = (random.Next(100, 99_999)).ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
            var at = start.AddMinutes(random.Next(10 * 24 * 60));
            var subject = random.NextDouble() < 0.4 ? $" Reaction came quickly from {Subjects[random.Next(Subjects.Length)]}." : "";
            var reports = random.Next(1, 6);
            for (var r = 0; r < reports; r++)
            {
                var source = random.Next(sources);
                if (bySource[source].Count >= itemsPerSource)
                    continue;
                var words = Enumerable.Range(0, 3).Select(_ => Fillers[random.Next(Fillers.Length)]);
                var title = r % 2 == 0
                    ? $"{place} {kind}: {person} {Verbs[random.Next(Verbs.Length)]} plan"
                    : $"{Cap(kind)} in {place} {Verbs[random.Next(Verbs.Length)]} {string.Join(' ', words.Take(2))}";
                var lede = $"The {kind} in {place} involved {figure} people, {person} said on {at:dddd}, as {string.Join(", ", words)} responded.{subject}";
                var key = $"event-{eventNumber}-report-{r}";
                bySource[source].Add(new NormalizedItem
                {
                    Key = key,
                    ContentHash = key,
                    Title = title,
                    Link = $"https://source-{source}.example.com/{key}",
                    Summary = $"<p>{lede}</p>",
                    SummaryText = lede,
                    Published = at.AddMinutes(random.Next(0, 6 * 60)),
                    Categories = [kind],
                }.WithStoryKeys());
            }
            eventNumber++;
        }
        return bySource.Select((items, i) => new Poll($"source-{i}", items.OrderByDescending(item => item.Published).ToList())).ToList();
    }

    private static NormalizedItem WithStoryKeys(this NormalizedItem item) =>
        item with { LinkKey = StoryKeys.LinkKey(item.Link), HeadlineKey = StoryKeys.HeadlineKey(item.Title) };

    private static string Name(Random random) => Cap(string.Concat(Enumerable.Range(0, random.Next(2, 4)).Select(_ => Syllables[random.Next(Syllables.Length)])));

    private static string Cap(string text) => char.ToUpperInvariant(text[0]) + text[1..];
}
