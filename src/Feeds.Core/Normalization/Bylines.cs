using System.Text.RegularExpressions;

namespace Feeds.Core.Normalization;

/// <summary>Splits the author strings feeds write and joins names into a byline.</summary>
public static partial class Bylines
{
    /// <summary>
    /// RSS 2.0 asks for an email in <c>author</c>; feeds write "desk@x.org (Jane Doe)", "Jane Doe &lt;desk@x.org&gt;",
    /// a bare address, or just a name. Returns the parts, missing ones null.
    /// </summary>
    public static Person Split(string text)
    {
        text = Regex.Replace(text.Trim(), @"\s+", " ");
        if (EmailThenName().Match(text) is { Success: true } m1)
            return new Person(NullIfEmpty(m1.Groups["name"].Value), m1.Groups["email"].Value, null);
        if (NameThenEmail().Match(text) is { Success: true } m2)
            return new Person(NullIfEmpty(m2.Groups["name"].Value.Trim('"', ' ')), m2.Groups["email"].Value, null);
        if (NameThenEmailInParentheses().Match(text) is { Success: true } m3)
            return new Person(NullIfEmpty(m3.Groups["name"].Value.Trim('"', ' ')), m3.Groups["email"].Value, null);
        if (BareEmail().IsMatch(text))
            return new Person(null, text, null);
        return new Person(text, null, null);
    }

    public static string? Join(IReadOnlyList<Person> authors)
    {
        var names = authors.Select(a => a.Name ?? a.Email).OfType<string>().Distinct().ToList();
        return names.Count switch
        {
            0 => null,
            1 => names[0],
            _ => string.Join(", ", names.Take(names.Count - 1)) + " and " + names[^1],
        };
    }

    private static string? NullIfEmpty(string text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    [GeneratedRegex(@"^(?:mailto:)?(?<email>[^\s@()<>]+@[^\s@()<>]+)\s*\((?<name>[^)]*)\)$")]
    private static partial Regex EmailThenName();

    [GeneratedRegex(@"^(?<name>[^<]*)<(?:mailto:)?(?<email>[^\s@<>]+@[^\s@<>]+)>$")]
    private static partial Regex NameThenEmail();

    [GeneratedRegex(@"^(?<name>[^()<>@]+?)\s*\((?:mailto:)?(?<email>[^\s@()<>]+@[^\s@()<>]+)\)$")]
    private static partial Regex NameThenEmailInParentheses();

    [GeneratedRegex(@"^[^\s@()<>]+@[^\s@()<>]+\.[^\s@()<>]+$")]
    private static partial Regex BareEmail();
}
