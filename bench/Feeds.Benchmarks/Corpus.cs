using System.Diagnostics;
using System.Globalization;

namespace Feeds.Benchmarks;

/// <summary>
/// The benchmark corpus made by the shared generator (<c>gen_corpus.py</c>): news feeds with ~5 KB of HTML per
/// item. It is generated, never committed (<c>bench/corpus/</c> is git-ignored); <see cref="EnsureGenerated"/>
/// runs the generator when the folder is missing. Its <c>MANIFEST.tsv</c> gives the item and byte counts the
/// throughput columns divide by.
/// </summary>
public static class Corpus
{
    /// <summary>The 2,000 feeds of 20 items, read as one workload.</summary>
    public const string ManyFeeds = "many";

    public const int ManyFeedCount = 2000;

    /// <summary>Overrides the corpus folder (default <c>bench/corpus</c> in the repository).</summary>
    private const string FolderVariable = "FEEDS_BENCH_CORPUS";

    /// <summary>Overrides the generator (default <c>../shared/bench/gen_corpus.py</c> beside the repository).</summary>
    private const string GeneratorVariable = "FEEDS_BENCH_GENERATOR";

    public static string Folder =>
        Environment.GetEnvironmentVariable(FolderVariable) is { Length: > 0 } folder
            ? Path.GetFullPath(folder)
            : Path.Combine(RepositoryRoot, "bench", "corpus");

    /// <summary>The files of one workload: a single feed file, or every file of <see cref="ManyFeeds"/>.</summary>
    public static IReadOnlyList<string> Files(string workload) =>
        workload == ManyFeeds
            ? Directory.GetFiles(Path.Combine(Folder, ManyFeeds), "*.xml").Order(StringComparer.Ordinal).ToList()
            : [Path.Combine(Folder, workload)];

    /// <summary>Items and bytes in one workload, from the generator's manifest.</summary>
    public static (long Items, long Bytes) Size(string workload)
    {
        var prefix = workload == ManyFeeds ? ManyFeeds + "/" : null;
        long items = 0, bytes = 0;
        foreach (var line in File.ReadLines(Path.Combine(Folder, "MANIFEST.tsv")).Skip(1))
        {
            var columns = line.Split('\t');
            if (prefix is null ? columns[0] != workload : !columns[0].StartsWith(prefix, StringComparison.Ordinal))
                continue;
            items += long.Parse(columns[2], CultureInfo.InvariantCulture);
            bytes += long.Parse(columns[3], CultureInfo.InvariantCulture);
        }
        return (items, bytes);
    }

    /// <summary>Runs the generator when the corpus folder has no manifest yet.</summary>
    public static void EnsureGenerated()
    {
        if (File.Exists(Path.Combine(Folder, "MANIFEST.tsv")))
            return;
        var generator = Environment.GetEnvironmentVariable(GeneratorVariable) is { Length: > 0 } path
            ? Path.GetFullPath(path)
            : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "bench", "gen_corpus.py"));
        if (!File.Exists(generator))
            throw new FileNotFoundException($"bench: no corpus in {Folder} and no generator at {generator}; generate it as bench/README.md says, or set {GeneratorVariable}");
        Console.WriteLine($"bench: generating the corpus into {Folder} (about 230 MB, 20 s)");
        using var process = Process.Start("python3", [generator, Folder, "--many", ManyFeedCount.ToString(CultureInfo.InvariantCulture)]);
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"bench: {generator} exited with {process.ExitCode}");
    }

    /// <summary>The folder holding Feeds.sln, found upwards from the binaries (BenchmarkDotNet runs them from a generated folder).</summary>
    private static string RepositoryRoot
    {
        get
        {
            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "Feeds.sln")))
                    return folder.FullName;
            }
            throw new DirectoryNotFoundException($"bench: no Feeds.sln above {AppContext.BaseDirectory}; set {FolderVariable}");
        }
    }
}
