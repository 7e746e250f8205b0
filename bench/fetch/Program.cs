// Fetch benchmark: many sources served by a loopback server in a child process, polled through the real
// pipeline (fetch → parse → normalize → SQLite). Reports a cold ingest, a round where every source answers
// 304, and this process's peak working set; or, with "clustering ROUNDS", the cold ingest with story placement
// switched off and on, alternately, and how much placement slows it. See bench/README.md.
using Feeds.Bench.Fetch;

if (args is ["serve", var folder])
    return await CorpusServer.RunAsync(folder);

var corpus = args.Length > 0 ? args[0] : null;
var clusteringRounds = args is [_, "clustering", var rounds] && int.TryParse(rounds, out var n) && n > 0 ? n : (int?)null;
if (corpus is null || !Directory.Exists(corpus) || (args.Length > 1 && clusteringRounds is null))
{
    Console.Error.WriteLine("usage: Feeds.Bench.Fetch CORPUS_DIR [clustering ROUNDS]   (CORPUS_DIR: a folder of feed files, e.g. the many/ folder of gen_corpus.py --many 2000)");
    return 2;
}
await using var server = await ServerProcess.StartAsync(corpus);
var files = Directory.GetFiles(corpus).Select(Path.GetFileName).Order().ToList()!;
if (clusteringRounds is { } roundCount)
    return await ClusteringCost.RunAsync(server.BaseUri, files!, roundCount);
var report = await FetchBenchmark.RunAsync(server.BaseUri, files!);
Console.WriteLine(report);
return report.MeetsTargets ? 0 : 1;
