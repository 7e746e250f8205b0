using System.Collections.Concurrent;
using System.CommandLine;
using Feeds.Core.Refreshing;
using Feeds.Core.Sources;
using Feeds.Service.Hosting;
using Spectre.Console;

namespace Feeds.Service.Cli;

/// <summary><c>feeds refresh [--source ID]</c>: poll now, once, with a live progress display, then a summary table.</summary>
internal static class RefreshCommand
{
    private static readonly Option<string?> SourceOption = new("--source") { Description = "Poll only this source id" };

    public static Command Create()
    {
        var command = new Command("refresh", "Poll the sources now, once, then exit") { SourceOption, FeedsCommandLine.LogFormatOption };
        command.SetAction((result, cancellationToken) => RunAsync(FeedsCommandLine.Settings(result, null), result.GetValue(SourceOption), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(FeedsSettings settings, string? sourceId, CancellationToken cancellationToken)
    {
        if (await FeedsCommandLine.BuildQuietAppAsync(settings) is not { } app)
            return FeedsCommandLine.BadInput;
        await using var _ = app;
        var config = app.Services.GetRequiredService<FeedsConfigMonitor>().Current;
        var sources = config.Sources.Where(s => sourceId is null || s.Id == sourceId).ToList();
        if (sources.Count == 0)
        {
            Console.Error.WriteLine($"refresh: no source \"{sourceId}\"; known sources: {string.Join(", ", config.Sources.Select(s => s.Id))}");
            return FeedsCommandLine.BadInput;
        }
        var refresher = app.Services.GetRequiredService<SourceRefresher>();
        var results = new ConcurrentDictionary<string, RefreshResult>();
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask($"Polling {sources.Count} source(s)", maxValue: sources.Count);
                // The fetch throttle keeps hosts polite; polling in parallel only fills the global cap.
                await Parallel.ForEachAsync(sources, new ParallelOptions { MaxDegreeOfParallelism = config.Fetching.MaxConcurrency, CancellationToken = cancellationToken }, async (source, token) =>
                {
                    results[source.Id] = await refresher.RefreshAsync(source, PollReason.Manual, token);
                    task.Increment(1);
                });
            });

        var table = new Table().AddColumns("Source", "Outcome", "Detail");
        foreach (var source in sources)
        {
            var (outcome, detail) = results[source.Id] switch
            {
                RefreshResult.Updated u => ("[green]updated[/]", $"{u.ItemsInFeed} items, {u.Added} new, {u.Changed} changed"),
                RefreshResult.NotModified => ("not modified", ""),
                RefreshResult.NotDue d => ("[yellow]waiting[/]", $"backing off until {d.DueAt:u}"),
                RefreshResult.Failed f => ("[red]failed[/]", $"{f.Category}: {f.Reason}"),
                _ => ("?", ""),
            };
            table.AddRow(Markup.Escape(source.Id), outcome, Markup.Escape(detail));
        }
        AnsiConsole.Write(table);
        var failures = results.Values.Count(r => r is RefreshResult.Failed);
        AnsiConsole.WriteLine($"{sources.Count} source(s) polled, {failures} failed");
        return failures == 0 ? FeedsCommandLine.Ok : FeedsCommandLine.Failure;
    }
}
