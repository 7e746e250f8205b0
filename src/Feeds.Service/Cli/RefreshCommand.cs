using System.CommandLine;
using Feeds.Core.Refreshing;
using Feeds.Core.Sources;
using Feeds.Service.Hosting;

namespace Feeds.Service.Cli;

/// <summary><c>feeds refresh [--source ID]</c>: poll now, once, print a summary, exit.</summary>
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
        WebApplication app;
        try
        {
            app = await FeedsApp.BuildAsync(settings, builder => builder.Logging.SetMinimumLevel(LogLevel.Warning));
        }
        catch (InvalidConfigException e)
        {
            Console.Error.WriteLine(e.Message);
            return FeedsCommandLine.BadInput;
        }
        await using var _ = app;
        var config = app.Services.GetRequiredService<FeedsConfig>();
        var sources = config.Sources.Where(s => sourceId is null || s.Id == sourceId).ToList();
        if (sources.Count == 0)
        {
            Console.Error.WriteLine($"refresh: no source \"{sourceId}\"; known sources: {string.Join(", ", config.Sources.Select(s => s.Id))}");
            return FeedsCommandLine.BadInput;
        }
        var refresher = app.Services.GetRequiredService<SourceRefresher>();
        var failures = 0;
        Console.WriteLine($"{"SOURCE",-24} {"OUTCOME",-14} DETAIL");
        foreach (var source in sources)
        {
            var result = await refresher.RefreshAsync(source, PollReason.Manual, cancellationToken);
            var (outcome, detail) = result switch
            {
                RefreshResult.Updated u => ("updated", $"{u.ItemsInFeed} items, {u.Added} new, {u.Changed} changed"),
                RefreshResult.NotModified => ("not modified", ""),
                RefreshResult.NotDue d => ("waiting", $"backing off until {d.DueAt:u}"),
                RefreshResult.Failed f => ("failed", $"{f.Category}: {f.Reason}"),
                _ => ("?", ""),
            };
            failures += result is RefreshResult.Failed ? 1 : 0;
            Console.WriteLine($"{source.Id,-24} {outcome,-14} {detail}");
        }
        Console.WriteLine($"{sources.Count} source(s) polled, {failures} failed");
        return failures == 0 ? FeedsCommandLine.Ok : FeedsCommandLine.Failure;
    }
}
