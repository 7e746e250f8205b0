// The in-memory size of the single node's schedule at N sources (issue 17, item 4), measured as the managed heap that
// stays reachable (GC.GetTotalMemory after a full collection) once the schedule is built, over a baseline that already
// holds the sources themselves. Usage: dotnet run -c Release --project bench/schedule [SOURCES=20000]
using System.Collections.Specialized;
using Feeds.Core.Refreshing;
using Feeds.Core.Sources;
using Feeds.Service.Scheduling;
using Quartz;

var count = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 20_000;
var sources = Enumerable.Range(0, count)
    .Select(i => new Source($"source-{i:D5}", $"Source {i}", SourceLocation.ForUrl(new Uri($"http://127.1.0.{i % 200}:8080/feeds/{i}.xml")), ["news"], TimeSpan.FromMinutes(15)))
    .ToList();
// What a Uri computes on first asking (its host's IDN form, which the fetcher asks for too) is the config's, not the schedule's.
foreach (var source in sources)
    _ = source.Location.Url!.IdnHost;
Console.WriteLine($"schedule memory at {count:N0} sources (managed heap kept, GC.GetTotalMemory(true)):");

// Before: one durable job and one one-shot trigger per source in Quartz's in-memory store (RAMJobStore), armed as the
// schedule armed them at start-up (SourceSchedule.AddAsync, the code the cluster still runs).
var scheduler = await QuartzSchedulerBuilder.Create()
    .UseProperties(new NameValueCollection { ["quartz.scheduler.instanceName"] = "bench-per-source" })
    .Build().GetScheduler();
var baseline = Heap();
var now = DateTimeOffset.UtcNow;
foreach (var source in sources)
    await SourceSchedule.AddAsync(scheduler, source, now, CancellationToken.None);
Print("a Quartz job and trigger per source (before)", Heap() - baseline);
await scheduler.Shutdown();
scheduler = null;

// After: the due queue holds every source only while its start-up poll waits (ReadyPolls, at its fullest right after
// start), and nothing per source once they are polled; its one job and trigger are a constant.
baseline = Heap();
var ready = new ReadyPolls();
foreach (var source in sources)
    ready.Add(source, PollReason.Startup);
Print("due queue at start, every start-up poll waiting", Heap() - baseline);
while (ready.TryStart(perHost: int.MaxValue, out var poll))
    ready.Finished(poll);
Print("due queue between polls (after)", Heap() - baseline);
GC.KeepAlive(ready);
GC.KeepAlive(sources);

static long Heap() => GC.GetTotalMemory(forceFullCollection: true);

static void Print(string what, long bytes) => Console.WriteLine($"  {what,-50} {bytes / 1024.0 / 1024.0,8:0.00} MB");
