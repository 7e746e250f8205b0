using System.Text.RegularExpressions;

namespace Feeds.Core.Sources;

/// <summary>What section rules look at in an item.</summary>
public sealed record RuleSubject(string Title, string? Summary, IReadOnlyList<string> Categories, string? Language);

/// <summary>One side of a section's rules: any matching category or keyword counts; languages narrow.</summary>
public sealed record RuleMatcher(IReadOnlyList<string> Categories, Regex? Keywords, IReadOnlyList<string> Languages)
{
    public static readonly RuleMatcher Empty = new([], null, []);

    public bool IsEmpty => Categories.Count == 0 && Keywords is null && Languages.Count == 0;

    public bool MatchesTopic(RuleSubject item) =>
        item.Categories.Any(c => Categories.Contains(c, StringComparer.OrdinalIgnoreCase))
        || (Keywords is not null && (Keywords.IsMatch(item.Title) || (item.Summary is not null && Keywords.IsMatch(item.Summary))));

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
        var hasIncludeTopics = Include.Categories.Count > 0 || Include.Keywords is not null;
        if (hasIncludeTopics && !Include.MatchesTopic(item))
            return false;
        if (Include.Languages.Count > 0 && !Include.MatchesLanguage(item.Language))
            return false;
        return !Exclude.MatchesTopic(item) && !(Exclude.Languages.Count > 0 && Exclude.MatchesLanguage(item.Language));
    }
}
