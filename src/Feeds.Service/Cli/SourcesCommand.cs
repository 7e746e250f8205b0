using System.CommandLine;
using System.Globalization;
using Feeds.Core.Sources;
using Feeds.Core.Status;
using Feeds.Service.Hosting;
using Spectre.Console;

namespace Feeds.Service.Cli;

/// <summary>
/// <c>feeds sources</c>: the summary, then the sources as on <c>/status</c> (the ones that need a look first), a page of
/// 100 at a time, filtered by the same state, section and text.
/// </summary>
internal static class SourcesCommand
{
    private static readonly Option<string?> StateOption = new("--state")
    {
        Description = "Only sources in this state: " + string.Join(", ", Enum.GetValues<SourceHealth>().Select(StatusFilter.Name)),
    };

    private static readonly Option<string?> SectionOption = new("--section") { Description = "Only sources of this section id" };

    private static readonly Option<string?> QueryOption = new("--query", "-q") { Description = "Only sources whose id, title or URL contains this text" };

    private static readonly Option<int> PageOption = new("--page") { Description = "Which page of 100 sources to print", DefaultValueFactory = _ => 1 };

    public static Command Create()
    {
        var command = new Command("sources", "Print the sources' health: counts by state, then each source's last poll, outcome, next due time, items and freshness, failing first")
        {
            StateOption, SectionOption, QueryOption, PageOption,
        };
        command.SetAction((result, cancellationToken) => RunAsync(FeedsCommandLine.Settings(result, null),
            result.GetValue(StateOption), result.GetValue(SectionOption), result.GetValue(QueryOption), result.GetValue(PageOption), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(FeedsSettings settings, string? stateText, string? section, string? text, int page, CancellationToken cancellationToken)
    {
        if (await FeedsCommandLine.BuildQuietAppAsync(settings) is not { } app)
            return FeedsCommandLine.BadInput;
        await using var _ = app;
        var config = app.Services.GetRequiredService<FeedsConfigMonitor>().Current;
        SourceHealth? state = null;
        if (stateText is not null)
        {
            if (!StatusFilter.TryParseState(stateText, out var parsed))
                return Usage($"--state must be one of {string.Join(", ", Enum.GetValues<SourceHealth>().Select(StatusFilter.Name))}");
            state = parsed;
        }
        if (section is not null && !config.Sections.Any(s => s.Id == section))
            return Usage($"no section \"{section}\"; sections: {string.Join(", ", config.Sections.Select(s => s.Id))}");
        if (page < 1)
            return Usage("--page must be 1 or more");
        var snapshot = await app.Services.GetRequiredService<StatusViews>().GetAsync(cancellationToken);
        var listing = snapshot.Page(new StatusFilter(state, section, string.IsNullOrWhiteSpace(text) ? null : text.Trim()), page);
        var summary = snapshot.Summary;
        AnsiConsole.WriteLine($"{summary.Sources} source(s), {summary.Count(SourceHealth.Failing)} failing, {summary.Count(SourceHealth.Silent)} silent, "
            + $"{summary.Count(SourceHealth.Gone)} gone, {summary.Count(SourceHealth.NeverPolled)} never polled, {summary.Count(SourceHealth.Ok)} ok");
        if (summary.FailingByCategory.Count > 0)
            AnsiConsole.WriteLine("failing: " + string.Join(", ", summary.FailingByCategory.Select(c => $"{c.Key} {c.Value}")));
        var table = new Table().AddColumns("Source", "Last poll", "Outcome", "Next due", "Items", "Last new item");
        foreach (var source in listing.Sources)
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
        AnsiConsole.WriteLine(listing.HasNext
            ? $"{listing.Matching} matching, page {listing.Page} of {listing.Pages}; --page {listing.Page + 1} for the next"
            : $"{listing.Matching} matching, page {listing.Page} of {listing.Pages}");
        return FeedsCommandLine.Ok;
    }

    private static int Usage(string problem)
    {
        Console.Error.WriteLine("sources: " + problem);
        return FeedsCommandLine.BadInput;
    }

    private static string Items(SourceStatus source) =>
        source.ItemsLeftOut > 0
            ? $"{source.ItemsStored.ToString(CultureInfo.InvariantCulture)} [red]({source.ItemsLeftOut.ToString(CultureInfo.InvariantCulture)} over the limit left out)[/]"
            : source.ItemsStored.ToString(CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "—";
}
