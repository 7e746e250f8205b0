// Fetch benchmark: many sources served by a loopback server in a child process, polled through the real
// pipeline (fetch → parse → normalize → SQLite). Reports a cold ingest, a round where every source answers
// 304, and this process's peak working set. See bench/README.md.
using Feeds.Bench.Fetch;

if (args is ["serve", var folder])
    return await CorpusServer.RunAsync(folder);

var corpus = args.Length > 0 ? args[0] : null;
if (corpus is null || !Directory.Exists(corpus))
{
    Console.Error.WriteLine("usage: Feeds.Bench.Fetch CORPUS_DIR   (a folder of feed files, e.g. the many/ folder of gen_corpus.py --many 2000)");
    return 2;
}
await using var server = await ServerProcess.StartAsync(corpus);
var report = await FetchBenchmark.RunAsync(server.BaseUri, Directory.GetFiles(corpus).Select(Path.GetFileName).Order().ToList()!);
Console.WriteLine(report);
return report.MeetsTargets ? 0 : 1;
