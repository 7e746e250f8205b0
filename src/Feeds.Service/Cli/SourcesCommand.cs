using System.CommandLine;
using System.Globalization;
using Feeds.Core.Sources;
using Feeds.Core.Status;
using Feeds.Service.Hosting;
using Spectre.Console;

namespace Feeds.Service.Cli;

/// <summary><c>feeds sources</c>: the status of every source, as on <c>/status</c>, as a table.</summary>
internal static class SourcesCommand
{
    public static Command Create()
    {
        var command = new Command("sources", "Print every source's last poll, outcome, next due time, items and freshness");
        command.SetAction((result, cancellationToken) => RunAsync(FeedsCommandLine.Settings(result, null), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(FeedsSettings settings, CancellationToken cancellationToken)
    {
        if (await FeedsCommandLine.BuildQuietAppAsync(settings) is not { } app)
            return FeedsCommandLine.BadInput;
        await using var _ = app;
        var report = await app.Services.GetRequiredService<StatusReporter>().BuildAsync(app.Services.GetRequiredService<FeedsConfigMonitor>(), cancellationToken);
        var table = new Table().AddColumns("Source", "Last poll", "Outcome", "Next due", "Items", "Last new item");
        foreach (var source in report.Sources)
        {
            var outcome = source.ErrorCategory is { } category
                ? $"[red]{Markup.Escape(category)}{(source.HttpStatus is { } status ? $" ({status})" : "")} ×{source.ConsecutiveFailures}[/]"
                : Markup.Escape(source.LastOutcome ?? "not polled yet");
            if (source.GoneSince is not null)
                outcome += " [red]gone[/]";
            var lastNew = Time(source.LastNewItemAt) + (source.Silent ? " [red]silent[/]" : "");
            table.AddRow(Markup.Escape(source.Id), Time(source.LastAttemptAt), outcome, Time(source.RetryNotBefore ?? source.NextDueAt), Items(source), lastNew);
        }
        AnsiConsole.Write(table);
        var failing = report.Sources.Count(s => s.ConsecutiveFailures > 0);
        AnsiConsole.WriteLine($"{report.Sources.Count} source(s), {failing} failing, {report.Sources.Count(s => s.Silent)} silent");
        return FeedsCommandLine.Ok;
    }

    private static string Items(SourceStatus source) =>
        source.ItemsLeftOut > 0
            ? $"{source.ItemsStored.ToString(CultureInfo.InvariantCulture)} [red]({source.ItemsLeftOut.ToString(CultureInfo.InvariantCulture)} over the limit left out)[/]"
            : source.ItemsStored.ToString(CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "—";
}
