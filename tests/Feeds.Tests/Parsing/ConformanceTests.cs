using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Feeds.Tests.Support;

namespace Feeds.Tests.Parsing;

/// <summary>
/// Runs the shared conformance checker (../shared/conformance) over the built <c>feeds parse --dir</c>, so the
/// pass rate cannot regress: every failing case must be listed, with its reason, in tests/conformance-known-gaps.md.
/// </summary>
public sealed partial class ConformanceTests
{
    [Fact]
    public async Task EveryConformanceFailureIsAKnownGap()
    {
        var repository = RepositoryRoot();
        var checker = Path.GetFullPath(Path.Combine(repository, "..", "shared", "conformance", "check.py"));
        Assert.True(File.Exists(checker), $"the shared conformance checker is expected at {checker} (shared/ beside the repository)");
        using var folder = new TempFolder();
        var report = folder.File("report.json");

        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { checker, "--batch-cmd", $"dotnet \"{Path.Combine(TestFiles.Root, "feeds.dll")}\" parse --dir {{dir}}", "--json-report", report, "--show", "0" })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        using var results = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        var failing = results.RootElement.EnumerateObject().Where(c => c.Value.GetProperty("problems").GetArrayLength() > 0).Select(c => c.Name).Order().ToList();
        var known = KnownGap().Matches(await File.ReadAllTextAsync(Path.Combine(repository, "tests", "conformance-known-gaps.md")))
            .Select(m => m.Groups[1].Value).Order().ToList();
        Assert.True(results.RootElement.EnumerateObject().Count() >= 600, "the checker ran fewer cases than the shared corpus holds:\n" + await output);
        Assert.Equal(known, failing);
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(TestFiles.Root); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Feeds.sln")))
                return folder.FullName;
        }
        throw new DirectoryNotFoundException("Feeds.sln not found above the test output folder");
    }

    // Case paths in backticks inside the table: `category/file.xml`.
    [GeneratedRegex(@"`([a-z0-9]+/[^`\s]+\.[a-z]+)`")]
    private static partial Regex KnownGap();
}
