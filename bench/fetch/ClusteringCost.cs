namespace Feeds.Bench.Fetch;

/// <summary>
/// What story clustering costs the whole ingest (issue 16: "ingest slows by &lt; 25%"): the same cold ingest through
/// fetch, parse, normalize and store, with placement switched off and on, alternately so that a change in the machine's
/// load falls on both; the fastest round of each is compared, and the least CPU of each beside it. Run two rounds or
/// more: the first ingest of the process pays the JIT.
/// </summary>
internal static class ClusteringCost
{
    private const double TargetSlowdown = 0.25;

    public static async Task<int> RunAsync(Uri server, IReadOnlyList<string> files, int rounds)
    {
        var fastest = new Dictionary<bool, double> { [false] = double.MaxValue, [true] = double.MaxValue };
        var leastCpu = new Dictionary<bool, double> { [false] = double.MaxValue, [true] = double.MaxValue };
        for (var round = 1; round <= rounds; round++)
        {
            // Off first in odd rounds, on first in even ones: the first ingest of the process pays the JIT.
            foreach (var placeStories in round % 2 == 1 ? new[] { false, true } : [true, false])
            {
                var (ingest, cpu) = await FetchBenchmark.ColdIngestAsync(server, files, placeStories);
                if (ingest.Failed > 0)
                {
                    Console.Error.WriteLine($"round {round}: {ingest.Failed} poll(s) failed; the figures would not compare");
                    return 1;
                }
                var seconds = ingest.Elapsed.TotalSeconds;
                fastest[placeStories] = Math.Min(fastest[placeStories], seconds);
                leastCpu[placeStories] = Math.Min(leastCpu[placeStories], cpu.TotalSeconds);
                Console.WriteLine($"  round {round}, clustering {(placeStories ? "on " : "off")}: {seconds,6:0.0} s, {ingest.ItemsAdded / seconds,6:0} items/s, "
                    + $"{cpu.TotalSeconds,6:0.0} s CPU   (load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
            }
        }
        var slowdown = 1 - fastest[false] / fastest[true];
        Console.WriteLine($"clustering off   {fastest[false],6:0.0} s   {leastCpu[false],6:0.0} s CPU");
        Console.WriteLine($"clustering on    {fastest[true],6:0.0} s   {leastCpu[true],6:0.0} s CPU");
        Console.WriteLine($"slowdown         {slowdown,8:P1}   (target < {TargetSlowdown:P0}); CPU {leastCpu[true] / leastCpu[false] - 1:+0.0%;-0.0%} with clustering");
        return slowdown < TargetSlowdown ? 0 : 1;
    }
}
