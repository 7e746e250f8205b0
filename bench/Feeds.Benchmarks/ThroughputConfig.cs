using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Feeds.Benchmarks;

/// <summary>
/// One job pinned to the first core (the targets are per core) that otherwise runs the way the service does:
/// <list type="bullet">
/// <item>Workstation GC, concurrent, as <c>feeds</c> runs (its project turns the Web SDK's server GC off).</item>
/// <item>
/// The runtime told how many cores the machine has (<c>DOTNET_PROCESSOR_COUNT</c>): a process whose affinity
/// shows it one CPU runs the same code far slower than the service ever does (measured on the 2-core machine: a
/// raw <see cref="System.Xml.XmlReader"/> pass over atom-1000.xml at ~23,000 items/s instead of ~95,000).
/// Everything, the GC and JIT threads included, still runs on the one pinned core.
/// </item>
/// <item>Six warm-up iterations, so the tiered JIT has finished optimizing before anything is measured.</item>
/// </list>
/// items/s and MB/s are computed from each measured mean.
/// </summary>
public sealed class ThroughputConfig : ManualConfig
{
    public ThroughputConfig()
    {
        AddJob(Job.Default
            .WithAffinity(1)
            .WithGcServer(false)
            .WithGcConcurrent(true)
            .WithEnvironmentVariables(new EnvironmentVariable("DOTNET_PROCESSOR_COUNT", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture)))
            .WithWarmupCount(6)
            .WithIterationCount(8)
            .WithId("OneCore"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(new ThroughputColumn(ThroughputColumn.Unit.ItemsPerSecond), new ThroughputColumn(ThroughputColumn.Unit.MegabytesPerSecond));
    }
}

/// <summary>Items or megabytes (10^6 bytes) of the workload per second of the benchmark's mean; sizes from the corpus manifest.</summary>
public sealed class ThroughputColumn(ThroughputColumn.Unit unit) : IColumn
{
    public enum Unit
    {
        ItemsPerSecond,
        MegabytesPerSecond,
    }

    public string Id => nameof(ThroughputColumn) + unit;
    public string ColumnName => unit == Unit.ItemsPerSecond ? "items/s" : "MB/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => (int)unit;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => unit == Unit.ItemsPerSecond
        ? "Feed items in the workload divided by the mean time of one operation"
        : "Workload bytes (10^6) divided by the mean time of one operation";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (summary[benchmarkCase]?.ResultStatistics?.Mean is not { } meanNanoseconds
            || benchmarkCase.Parameters[nameof(FeedPipelineBenchmarks.Workload)] is not string workload)
            return "-";
        var (items, bytes) = Corpus.Size(workload);
        var seconds = meanNanoseconds / 1e9;
        return unit == Unit.ItemsPerSecond
            ? (items / seconds).ToString("N0", style.CultureInfo)
            : (bytes / 1e6 / seconds).ToString("N1", style.CultureInfo);
    }

    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public override string ToString() => ColumnName;
}
