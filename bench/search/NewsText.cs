namespace Feeds.Bench.Search;

/// <summary>
/// Made-up news text with the word statistics of real text: a vocabulary of pronounceable words drawn by Zipf's law
/// (the word of rank r is used in proportion to 1/r), so a few words are in nearly every item and most are rare. Seeded:
/// the same arguments give the same store.
/// </summary>
public sealed class NewsText
{
    private static readonly string[] Onsets = ["b", "br", "c", "ch", "d", "dr", "f", "g", "gr", "h", "k", "l", "m", "n", "p", "pl", "r", "s", "st", "t", "tr", "v", "w", "z"];
    private static readonly string[] Vowels = ["a", "e", "i", "o", "u", "ai", "ea", "ou"];
    private static readonly string[] Codas = ["", "n", "r", "s", "t", "l", "nd", "st", "m"];

    private readonly double[] _cumulative;
    private readonly Random _random;

    public NewsText(int vocabularySize, int seed)
    {
        _random = new Random(seed);
        var words = new HashSet<string>(StringComparer.Ordinal);
        var vocabulary = new List<string>(vocabularySize);
        while (vocabulary.Count < vocabularySize)
        {
            var syllables = 1 + _random.Next(3) + (vocabulary.Count > 1000 ? 1 : 0);
            var word = string.Concat(Enumerable.Range(0, syllables).Select(_ => Pick(Onsets) + Pick(Vowels) + Pick(Codas)));
            if (words.Add(word))
                vocabulary.Add(word);
        }
        Vocabulary = vocabulary;
        _cumulative = new double[vocabularySize];
        var sum = 0.0;
        for (var rank = 0; rank < vocabularySize; rank++)
            _cumulative[rank] = sum += 1.0 / (rank + 1);
        for (var rank = 0; rank < vocabularySize; rank++)
            _cumulative[rank] /= sum;
    }

    /// <summary>The words, most used first.</summary>
    public IReadOnlyList<string> Vocabulary { get; }

    public Random Random => _random;

    /// <summary>A sentence of <paramref name="minWords"/> to <paramref name="maxWords"/> words, the first capitalized.</summary>
    public string Sentence(int minWords, int maxWords)
    {
        var count = minWords + _random.Next(maxWords - minWords + 1);
        var words = Enumerable.Range(0, count).Select(_ => Word()).ToArray();
        words[0] = char.ToUpperInvariant(words[0][0]) + words[0][1..];
        return string.Join(' ', words);
    }

    /// <summary>A word drawn by Zipf's law.</summary>
    public string Word()
    {
        var index = Array.BinarySearch(_cumulative, _random.NextDouble());
        return Vocabulary[Math.Min(index < 0 ? ~index : index, Vocabulary.Count - 1)];
    }

    /// <summary>A word of rank within [<paramref name="from"/>, <paramref name="to"/>) (0 is the most used).</summary>
    public string WordOfRank(int from, int to) => Vocabulary[_random.Next(from, Math.Min(to, Vocabulary.Count))];

    private string Pick(string[] choices) => choices[_random.Next(choices.Length)];
}
