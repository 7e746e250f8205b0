using System.Runtime;
using System.Runtime.InteropServices;

namespace Feeds.Service.Hosting;

/// <summary>
/// Gives memory back once the service has gone quiet after a burst of work, such as the first ingest of a large catalogue.
/// </summary>
/// <remarks>
/// The GC collects when allocations use up its budgets, so a service that stops allocating keeps whatever heap its last
/// burst left: after 20,000 sources were ingested, 238 MB stayed committed for 79 MB of live objects (gen2 170 MB, 96 MB of
/// it free space between survivors) and the working set stood at 415 MB for the next hour. Once a minute this looks at
/// what was allocated since the last look; when the service was quiet and the committed heap is well over what lives in
/// it, one full compacting collection returns the difference. It does nothing while the service is busy, whose own
/// collections keep the heap in step, nor again until the heap has grown past what the last one left: some of the
/// committed memory is the GC's own working room, which no collection gives back (141 MB for 77 MB live at 20,000 sources).
/// <para>It also hands back the C heap's free pages (<see cref="NativeHeap.Trim"/>) after each such collection, and in the
/// first quiet minute after a busy one whatever the managed heap's slack: SQLite's page caches, the compressors' buffers
/// and the runtime's own allocations live there, and glibc keeps what they freed in its arenas.</para>
/// </remarks>
internal sealed partial class IdleMemoryTrim(TimeProvider clock, ILogger<IdleMemoryTrim> logger) : BackgroundService
{
    public static readonly TimeSpan Every = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every, clock);
        var allocated = GC.GetTotalAllocatedBytes();
        var committedAfterLastTrim = 0L;
        var quietBefore = true;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var allocatedInTheLastMinute = GC.GetTotalAllocatedBytes() - allocated;
            var heap = GC.GetGCMemoryInfo();
            var slack = MemoryTrimPolicy.Slack(heap.TotalCommittedBytes, heap.HeapSizeBytes, heap.FragmentedBytes);
            var workingSet = Environment.WorkingSet;
            if (MemoryTrimPolicy.ShouldTrim(allocatedInTheLastMinute, slack, heap.TotalCommittedBytes, committedAfterLastTrim))
            {
                GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                committedAfterLastTrim = GC.GetGCMemoryInfo().TotalCommittedBytes;
                var afterCollection = Environment.WorkingSet;
                NativeHeap.Trim();
                LogTrimmed(heap.TotalCommittedBytes / Mb, committedAfterLastTrim / Mb, workingSet / Mb, afterCollection / Mb, Environment.WorkingSet / Mb);
            }
            else if (MemoryTrimPolicy.ShouldTrimNativeHeap(allocatedInTheLastMinute, quietBefore) && NativeHeap.Trim())
            {
                LogNativeHeapTrimmed(workingSet / Mb, Environment.WorkingSet / Mb);
            }
            quietBefore = MemoryTrimPolicy.IsQuiet(allocatedInTheLastMinute);
            allocated = GC.GetTotalAllocatedBytes();
        }
    }

    private const long Mb = 1024 * 1024;

    [LoggerMessage(Level = LogLevel.Information, Message = "Quiet after a burst of work: the heap was compacted from {BeforeMb} MB committed to {AfterMb} MB; " +
        "working set {WorkingSetMb} MB, {AfterCollectionMb} MB after the collection, {AfterNativeTrimMb} MB after the C heap's trim")]
    private partial void LogTrimmed(long beforeMb, long afterMb, long workingSetMb, long afterCollectionMb, long afterNativeTrimMb);

    [LoggerMessage(Level = LogLevel.Information, Message = "Quiet after a burst of work: the C heap's free pages were returned; working set {WorkingSetMb} MB, now {AfterMb} MB")]
    private partial void LogNativeHeapTrimmed(long workingSetMb, long afterMb);
}

/// <summary>
/// When <see cref="IdleMemoryTrim"/> collects: a quiet minute, a committed heap well over its live objects, and well over
/// what the last trim left.
/// </summary>
internal static class MemoryTrimPolicy
{
    /// <summary>Allocating less than this in a minute is quiet: an idle service with a few polls and page views allocates a few MB.</summary>
    public const long QuietBytesPerMinute = 64L * 1024 * 1024;

    /// <summary>Less slack than this, or less growth since the last trim, is not worth a full collection.</summary>
    public const long MinimumSlackBytes = 64L * 1024 * 1024;

    /// <summary>Committed heap memory that holds no live object: free space between survivors and unused committed regions.</summary>
    public static long Slack(long committedBytes, long heapSizeBytes, long fragmentedBytes) =>
        committedBytes - (heapSizeBytes - fragmentedBytes);

    public static bool IsQuiet(long allocatedInTheLastMinute) => allocatedInTheLastMinute < QuietBytesPerMinute;

    public static bool ShouldTrim(long allocatedInTheLastMinute, long slackBytes, long committedBytes, long committedAfterLastTrim) =>
        IsQuiet(allocatedInTheLastMinute) && slackBytes >= MinimumSlackBytes
        && committedBytes - committedAfterLastTrim >= MinimumSlackBytes;

    /// <summary>The C heap is trimmed once a burst is over: in the first quiet minute after a busy one, not in every idle minute.</summary>
    public static bool ShouldTrimNativeHeap(long allocatedInTheLastMinute, bool quietBefore) =>
        IsQuiet(allocatedInTheLastMinute) && !quietBefore;
}

/// <summary>The C heap under the runtime: SQLite, zlib, brotli and the runtime itself allocate there.</summary>
internal static class NativeHeap
{
    /// <summary>
    /// Returns the free pages of every glibc malloc arena to the system (<c>malloc_trim(0)</c>, which since glibc 2.8 also
    /// releases free pages inside an arena, not only at its top); true when some were. glibc returns freed memory on its own
    /// only from the top of the main arena, so after a burst of native work (an ingest at 20,000 sources: about 80 MB) the
    /// rest stays in the working set. False, doing nothing, where there is no glibc (Windows, macOS, musl).
    /// </summary>
    public static bool Trim()
    {
        if (!OperatingSystem.IsLinux())
            return false;
        try
        {
            return MallocTrim(0) == 1;
        }
        catch (EntryPointNotFoundException)
        {
            return false; // a C library without malloc_trim (musl)
        }
    }

    /// <summary>
    /// Caps glibc's malloc arenas at <see cref="MaxArenas"/> (<c>mallopt(M_ARENA_MAX)</c>, what <c>MALLOC_ARENA_MAX</c>
    /// does from the environment, which is left to decide when set); true when the cap was taken. glibc gives each new
    /// thread an arena of its own up to eight per core, and each keeps its free pages: during a cold ingest of 20,000
    /// sources the thread-pool threads' arenas held 63 MB, the largest consumer after the GC heap (bench/README.md, "The
    /// working set during the ingest"). Two arenas on this service's two busy threads' worth of native work (SQLite,
    /// zlib, the runtime) took the working set 48 MB lower. Called first thing at start: arenas made before it stay.
    /// </summary>
    public static bool LimitArenas()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is not null)
            return false;
        try
        {
            return MallOpt(ArenaMaxOption, MaxArenas) == 1;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    public const int MaxArenas = 2;

    /// <summary><c>M_ARENA_MAX</c> in glibc's malloc.h.</summary>
    private const int ArenaMaxOption = -8;

    [DllImport("libc", EntryPoint = "mallopt", ExactSpelling = true)]
    private static extern int MallOpt(int option, int value);

    // "libc" names the platform's C library (libc.so.6 on glibc). DllImport, not LibraryImport: its arguments need no
    // marshalling, and LibraryImport would make the whole project compile unsafe code.
    [DllImport("libc", EntryPoint = "malloc_trim", ExactSpelling = true)]
    private static extern int MallocTrim(nuint pad);
}
