using System.Globalization;
using System.Text;

namespace Feeds.Core.Sources;

/// <summary>
/// A search as Feeds understands it, parsed from what a reader typed or an operator configured: every
/// <see cref="Include"/> term must be in an item's title or summary, no <see cref="Exclude"/> term may be, and the item
/// comes from one of the <see cref="Sources"/> and one of the <see cref="Sections"/> when they are given. Terms hold
/// only words (letters and digits), never the user's operators, so each store writes its own query language from this
/// tree and no user text reaches a full-text engine as syntax.
/// </summary>
/// <remarks>
/// The syntax (docs/search.md): <c>word</c>, <c>"a phrase"</c>, <c>-word</c> or <c>-"a phrase"</c> to exclude,
/// <c>source:ID</c> and <c>section:ID</c> to narrow. Words are case-insensitive; punctuation separates words, so
/// <c>covid-19</c> is the phrase "covid 19". Nothing else is an operator: <c>OR</c>, <c>NEAR</c>, <c>*</c> are words or
/// separators like any other.
/// </remarks>
public sealed record SearchQuery(
    IReadOnlyList<SearchTerm> Include, IReadOnlyList<SearchTerm> Exclude, IReadOnlyList<string> Sources, IReadOnlyList<string> Sections)
{
    /// <summary>Longer than anything a person types; a bound on the work one request asks of the index.</summary>
    public const int MaxLength = 512;

    /// <summary>Words and phrases together, for the same reason.</summary>
    public const int MaxTerms = 16;

    /// <summary>The query in one canonical spelling: two spellings of one search share a cache entry and a feed id.</summary>
    public string Canonical => string.Join(' ',
        Include.Select(t => t.Canonical)
            .Concat(Exclude.Select(t => "-" + t.Canonical))
            .Concat(Sources.Select(s => "source:" + s))
            .Concat(Sections.Select(s => "section:" + s)));

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says what is wrong and where.</summary>
    public static bool TryParse(string? text, out SearchQuery query, out string error)
    {
        query = new SearchQuery([], [], [], []);
        error = text switch
        {
            null or "" => "the query is empty; type the words to find",
            { Length: > MaxLength } => $"the query is {text.Length} characters long; at most {MaxLength} are searched",
            _ => "",
        };
        if (error.Length > 0)
            return false;
        // Tabs and line breaks separate words like spaces; any other control character (a NUL) is not text anyone typed.
        for (var i = 0; i < text!.Length; i++)
        {
            if (char.IsControl(text[i]) && !char.IsWhiteSpace(text[i]))
            {
                error = $"the query has a control character (U+{(int)text[i]:X4}) at position {i + 1}";
                return false;
            }
        }
        var parser = new Parser(text!);
        if (!parser.Run(out error))
            return false;
        if (parser.Include.Count == 0)
        {
            error = parser.Exclude.Count > 0 || parser.Sources.Count > 0 || parser.Sections.Count > 0
                ? "the query has nothing to find: exclusions and filters narrow a search, add at least one word or \"phrase\""
                : "the query has no words to find (punctuation and symbols are not searched)";
            return false;
        }
        if (parser.Include.Count + parser.Exclude.Count > MaxTerms)
        {
            error = $"the query has {parser.Include.Count + parser.Exclude.Count} words and phrases; at most {MaxTerms}";
            return false;
        }
        query = new SearchQuery(parser.Include, parser.Exclude, parser.Sources, parser.Sections);
        return true;
    }

    /// <summary>
    /// Whether an item with this title and summary matches the words and phrases (not the filters, which name where an
    /// item is stored): the test of a section's <c>query</c> rule, with the index's rules of what a word is.
    /// </summary>
    public bool MatchesText(string title, string? summary)
    {
        // An empty word between title and summary, which no term holds: a phrase does not run from one into the other.
        var words = SearchText.FoldedWords(title).Append("").Concat(SearchText.FoldedWords(summary ?? "")).ToList();
        return Include.All(term => term.OccursIn(words)) && !Exclude.Any(term => term.OccursIn(words));
    }

    /// <summary>Reads the query left to right: quotes, a leading minus and a known <c>name:</c> are its only syntax.</summary>
    private sealed class Parser(string text)
    {
        private int _at;

        public List<SearchTerm> Include { get; } = [];
        public List<SearchTerm> Exclude { get; } = [];
        public List<string> Sources { get; } = [];
        public List<string> Sections { get; } = [];

        public bool Run(out string error)
        {
            error = "";
            while (true)
            {
                while (_at < text.Length && char.IsWhiteSpace(text[_at]))
                    _at++;
                if (_at == text.Length)
                    return true;
                var start = _at;
                var negated = text[_at] == '-' && _at + 1 < text.Length && !char.IsWhiteSpace(text[_at + 1]);
                if (negated)
                    _at++;
                if (_at < text.Length && text[_at] == '"')
                {
                    var close = text.IndexOf('"', _at + 1);
                    if (close < 0)
                    {
                        error = $"the quote at position {_at + 1} is not closed; end the phrase with another \"";
                        return false;
                    }
                    var phrase = text[(_at + 1)..close];
                    _at = close + 1;
                    Add(phrase, negated);
                    continue;
                }
                var end = _at;
                while (end < text.Length && !char.IsWhiteSpace(text[end]) && text[end] != '"')
                    end++;
                var word = text[_at..end];
                _at = end;
                if (FilterOf(word, start, out error) is { } filter)
                {
                    if (!AddFilter(filter.Name, filter.Value, negated, start, out error))
                        return false;
                    continue;
                }
                if (error.Length > 0)
                    return false;
                Add(word, negated);
            }
        }

        private void Add(string words, bool negated)
        {
            var folded = SearchText.Words(words).ToList();
            // Punctuation alone ("*", "^", "-") has nothing to find, as it is nothing in the text matched against.
            if (folded.Count > 0)
                (negated ? Exclude : Include).Add(new SearchTerm(folded));
        }

        private bool AddFilter(string name, string value, bool negated, int position, out string error)
        {
            error = "";
            if (negated)
                error = $"-{name}: at position {position + 1} is not supported; list the {name}s to search in with {name}:ID";
            else if (value.Length == 0)
                error = $"{name}: at position {position + 1} names no {name}; write {name}:ID";
            if (error.Length > 0)
                return false;
            (name == "source" ? Sources : Sections).Add(value);
            return true;
        }

        /// <summary>
        /// <c>source:ID</c> or <c>section:ID</c>; another <c>name:</c> is refused (<paramref name="error"/>) rather than
        /// searched as words, so a reader who expected a column filter (<c>title:</c>) learns that it is not one.
        /// </summary>
        private static (string Name, string Value)? FilterOf(string word, int position, out string error)
        {
            error = "";
            var colon = word.IndexOf(':');
            if (colon <= 0 || !word[..colon].All(char.IsAsciiLetter))
                return null;
            var name = word[..colon].ToLowerInvariant();
            if (name is "source" or "section")
                return (name, word[(colon + 1)..]);
            error = $"\"{word[..colon]}:\" at position {position + 1} is not a filter; the filters are source:ID and section:ID "
                + "(put it in quotes to search for the words)";
            return null;
        }
    }
}

/// <summary>One word, or a phrase of words in a row, as the index holds them: lowercase letters and digits.</summary>
public sealed record SearchTerm(IReadOnlyList<string> Words)
{
    public bool IsPhrase => Words.Count > 1;

    public string Canonical => IsPhrase ? "\"" + string.Join(' ', Words) + "\"" : Words[0];

    /// <summary>Whether the words occur in a row in <paramref name="text"/>, compared as the SQLite index compares them (diacritics folded).</summary>
    internal bool OccursIn(IReadOnlyList<string> foldedText)
    {
        var wanted = Words.Select(SearchText.Fold).ToList();
        for (var start = 0; start + wanted.Count <= foldedText.Count; start++)
        {
            var at = start;
            if (wanted.All(word => foldedText[at++] == word))
                return true;
        }
        return false;
    }
}

/// <summary>
/// What a word is, for the query and for the indexes: a run of letters, digits and private-use characters, as SQLite's
/// unicode61 tokenizer reads text (https://sqlite.org/fts5.html#unicode61_tokenizer); everything else separates words.
/// </summary>
public static class SearchText
{
    /// <summary>The words of <paramref name="text"/>, lowercase, in NFC, diacritics kept (PostgreSQL's 'simple' configuration keeps them).</summary>
    public static IEnumerable<string> Words(string text)
    {
        var word = new StringBuilder();
        foreach (var rune in Normalized(text).EnumerateRunes())
        {
            if (IsWordRune(rune))
            {
                word.Append(Rune.ToLowerInvariant(rune).ToString());
                continue;
            }
            if (word.Length > 0)
                yield return word.ToString();
            word.Clear();
        }
        if (word.Length > 0)
            yield return word.ToString();
    }

    /// <summary>NFC, so "é" typed as e + U+0301 is the one letter the text holds; a lone surrogate (which cannot be normalized) becomes U+FFFD, a separator.</summary>
    private static string Normalized(string text)
    {
        if (!text.Any(char.IsSurrogate))
            return text.Normalize(NormalizationForm.FormC);
        var valid = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
            valid.Append(rune.ToString());
        return valid.ToString().Normalize(NormalizationForm.FormC);
    }

    /// <summary>Words as SQLite's index holds them (<c>remove_diacritics 2</c>): "café" is "cafe".</summary>
    public static IEnumerable<string> FoldedWords(string text) => Words(text).Select(Fold);

    /// <summary>A word without its diacritics.</summary>
    public static string Fold(string word)
    {
        if (word.All(char.IsAscii))
            return word;
        var decomposed = word.Normalize(NormalizationForm.FormD);
        var kept = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
                kept.Append(c);
        }
        return kept.ToString().Normalize(NormalizationForm.FormC);
    }

    private static bool IsWordRune(Rune rune) => Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
            or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber
            or UnicodeCategory.PrivateUse => true,
        _ => false,
    };
}
