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
    public static IReadOnlyList<LabelledReport> Load(string folder) =>
        Directory.EnumerateFiles(folder, "*.jsonl").Order(StringComparer.Ordinal)
            .SelectMany(File.ReadLines)
            .Where(line => line.Length > 0)
            .Select(line => JsonSerializer.Deserialize<LabelledReport>(line) ?? throw new InvalidDataException($"not a report: {line}"))
            .ToList();
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
