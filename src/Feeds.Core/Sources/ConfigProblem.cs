namespace Feeds.Core.Sources;

/// <summary>
/// One thing wrong in a config file: where it is and what would be right. It reads
/// <c>feeds.json:42:14: sources[2].url: …</c>, the <c>file:line:col</c> form editors and terminals jump to.
/// </summary>
/// <param name="Path">The JSON path inside the file in the file's own spelling, e.g. <c>sources[2].url</c>; empty for the whole file.</param>
public sealed record ConfigProblem(string File, string Path, string Message)
{
    /// <summary>The 1-based line of the value (or key) at fault; null when the file could not be read.</summary>
    public int? Line { get; init; }

    /// <summary>The 1-based column, in characters, of the value (or key) at fault.</summary>
    public int? Column { get; init; }

    /// <summary>Where it is: <c>file:line:col</c>, or the file alone.</summary>
    public string Location => Line is { } line ? $"{File}:{line}:{Column ?? 1}" : File;

    public override string ToString() => Path.Length == 0 ? $"{Location}: {Message}" : $"{Location}: {Path}: {Message}";
}

/// <summary>Thrown when a config cannot be used; carries every problem found, not just the first.</summary>
public sealed class InvalidConfigException(IReadOnlyList<ConfigProblem> problems)
    : Exception($"The config has {problems.Count} problem(s):{Environment.NewLine}" + string.Join(Environment.NewLine, problems.Select(p => "  " + p)))
{
    public IReadOnlyList<ConfigProblem> Problems { get; } = problems;
}
