using Feeds.Service.Cli;

// One executable, a verb per job: serve (the default), parse, check-config, refresh.
return await FeedsCommandLine.InvokeAsync(args);
