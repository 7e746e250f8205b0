using Feeds.Service.Cli;
using Feeds.Service.Hosting;

// Before the thread pool grows: each thread it starts would get a malloc arena of its own.
NativeHeap.LimitArenas();

// One executable, a verb per job: serve (the default), parse, check-config, refresh.
return await FeedsCommandLine.InvokeAsync(args);
