using BenchmarkDotNet.Running;
using Feeds.Benchmarks;

// Generate the corpus once, here in the host process, before BenchmarkDotNet starts its child processes.
Corpus.EnsureGenerated();
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
