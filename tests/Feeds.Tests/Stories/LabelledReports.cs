using System.Text.Json;
using System.Text.Json.Serialization;

namespace Feeds.Tests.Stories;

/// <summary>
/// The labelled corpus in <c>TestData/Stories/*.jsonl</c>: reports of news events by fictional sources, each line one
/// report labelled with the event it tells (<see cref="Story"/>). Reports of one event are paraphrases (different
/// headlines and ledes, the same facts); near-misses are events of the same kind (two earthquakes, two budget votes,
/// two results of one club) that must stay apart.
/// </summary>
public sealed record LabelledReport(
    [property: JsonPropertyName("story")] string Story,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("published")] DateTimeOffset Published,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("lede")] string Lede)
{
    public static IReadOnlyList<LabelledReport> Load(string folder) => Files(folder).SelectMany(Read).ToList();

    /// <summary>
    /// The sets of a folder told at once: each file's reports moved in time so that its first is published when every
    /// file's first is, its stories and sources kept its own. A denser stream than any one set, as a service polling
    /// many sources meets: more events of one kind (quakes, council votes, results) in each window.
    /// </summary>
    public static IReadOnlyList<LabelledReport> LoadOverlaid(string folder)
    {
        var start = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        return Files(folder).SelectMany(file =>
        {
            var reports = Read(file).ToList();
            var (name, shift) = (Path.GetFileNameWithoutExtension(file), start - reports.Min(r => r.Published));
            return reports.Select(r => r with { Story = $"{name}/{r.Story}", Source = $"{name}-{r.Source}", Published = r.Published + shift });
        }).ToList();
    }

    private static IEnumerable<string> Files(string folder) => Directory.EnumerateFiles(folder, "*.jsonl").Order(StringComparer.Ordinal);

    private static IEnumerable<LabelledReport> Read(string file) =>
        File.ReadLines(file)
            .Where(line => line.Length > 0)
            .Select(line => JsonSerializer.Deserialize<LabelledReport>(line) ?? throw new InvalidDataException($"not a report in {file}: {line}"));
}

/// <summary>Pairwise precision and recall of a clustering against labels: over every pair of reports, placed together vs. labelled together.</summary>
public sealed record PairwiseScore(long TruePairs, long FalsePairs, long MissedPairs)
{
    public double Precision => TruePairs + FalsePairs == 0 ? 1 : (double)TruePairs / (TruePairs + FalsePairs);

    public double Recall => TruePairs + MissedPairs == 0 ? 1 : (double)TruePairs / (TruePairs + MissedPairs);

    public static PairwiseScore Of<T>(IReadOnlyList<T> items, Func<T, string> label, Func<T, long> cluster)
    {
        long truePairs = 0, falsePairs = 0, missedPairs = 0;
        for (var i = 0; i < items.Count; i++)
        {
            for (var j = i + 1; j < items.Count; j++)
            {
                var labelled = label(items[i]) == label(items[j]);
                var placed = cluster(items[i]) == cluster(items[j]);
                if (labelled && placed)
                    truePairs++;
                else if (placed)
                    falsePairs++;
                else if (labelled)
                    missedPairs++;
            }
        }
        return new PairwiseScore(truePairs, falsePairs, missedPairs);
    }

    public override string ToString() =>
        $"precision {Precision:0.000}, recall {Recall:0.000} ({TruePairs} pairs right, {FalsePairs} joined wrongly, {MissedPairs} missed)";
}
