using System.Text.RegularExpressions;

namespace Feeds.Core.Sources;

/// <summary>What section rules look at in an item.</summary>
public sealed record RuleSubject(string Title, string? Summary, IReadOnlyList<string> Categories, string? Language);

/// <summary>One side of a section's rules: any matching category, keyword or query counts; languages narrow.</summary>
public sealed record RuleMatcher(IReadOnlyList<string> Categories, Regex? Keywords, IReadOnlyList<string> Languages)
{
    public static readonly RuleMatcher Empty = new([], null, []);

    /// <summary>A search (the syntax of <c>/search</c>, words and phrases only) the title and summary must match.</summary>
    public SearchQuery? Query { get; init; }

    public bool IsEmpty => !HasTopics && Languages.Count == 0;

    public bool HasTopics => Categories.Count > 0 || Keywords is not null || Query is not null;

    public bool MatchesTopic(RuleSubject item) =>
        item.Categories.Any(c => Categories.Contains(c, StringComparer.OrdinalIgnoreCase))
        || (Keywords is not null && (Keywords.IsMatch(item.Title) || (item.Summary is not null && Keywords.IsMatch(item.Summary))))
        || (Query is not null && Query.MatchesText(item.Title, item.Summary));

    /// <summary>"en" matches "en", "en-US" and "en-gb" (RFC 4647 basic filtering).</summary>
    public bool MatchesLanguage(string? language) =>
        language is not null && Languages.Any(l => language.Equals(l, StringComparison.OrdinalIgnoreCase)
            || language.StartsWith(l + "-", StringComparison.OrdinalIgnoreCase) || language.StartsWith(l + "_", StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// Which items of its sources a section shows. An item is shown when it passes the include side (no
/// include topics, or a matching category or keyword; no include languages, or a matching language) and
/// matches nothing on the exclude side. Rules apply when feeds are built, so changing them needs no re-fetch.
/// </summary>
public sealed record SectionRules(RuleMatcher Include, RuleMatcher Exclude)
{
    public static readonly SectionRules AcceptAll = new(RuleMatcher.Empty, RuleMatcher.Empty);

    public bool Accepts(RuleSubject item)
    {
        if (Include.HasTopics && !Include.MatchesTopic(item))
            return false;
        if (Include.Languages.Count > 0 && !Include.MatchesLanguage(item.Language))
            return false;
        return !Exclude.MatchesTopic(item) && !(Exclude.Languages.Count > 0 && Exclude.MatchesLanguage(item.Language));
    }
}
