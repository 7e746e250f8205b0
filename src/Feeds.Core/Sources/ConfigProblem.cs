namespace Feeds.Core.Sources;

/// <summary>One thing wrong in a config file: where it is and what would be right.</summary>
/// <param name="Path">The JSON path inside the file, e.g. <c>Sources[2].Url</c>; empty for the whole file.</param>
public sealed record ConfigProblem(string File, string Path, string Message)
{
    public override string ToString() => Path.Length == 0 ? $"{File}: {Message}" : $"{File}: {Path}: {Message}";
}

/// <summary>Thrown when a config cannot be used; carries every problem found, not just the first.</summary>
public sealed class InvalidConfigException(IReadOnlyList<ConfigProblem> problems)
    : Exception($"The config has {problems.Count} problem(s):{Environment.NewLine}" + string.Join(Environment.NewLine, problems.Select(p => "  " + p)))
{
    public IReadOnlyList<ConfigProblem> Problems { get; } = problems;
}
