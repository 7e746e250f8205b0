using System.CommandLine;
using System.Globalization;
using Feeds.Core.Publishing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Feeds.Service.Hosting;

namespace Feeds.Service.Cli;

/// <summary>
/// <c>feeds stories</c>: the stories of the store, for inspecting how reports were clustered: the stories whose latest
/// report is newest first, each with its id (its <c>/stories/{id}</c> page) and every report, source, time and headline.
/// </summary>
internal static class StoriesCommand
{
    private static readonly Option<int> LimitOption = new("--limit", "-n") { Description = "How many stories to print", DefaultValueFactory = _ => 20 };

    private static readonly Option<int> MinReportsOption = new("--min-reports")
    {
        Description = "Only stories with at least this many reports (1 prints stories of a single report too)",
        DefaultValueFactory = _ => 2,
    };

    public static Command Create()
    {
        var command = new Command("stories", "Print the stories reports were clustered into, latest first: each story's id and every report's time, source and headline")
        {
            LimitOption, MinReportsOption,
        };
        command.SetAction((result, cancellationToken) => RunAsync(FeedsCommandLine.Settings(result, null),
            result.GetValue(LimitOption), result.GetValue(MinReportsOption), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(FeedsSettings settings, int limit, int minReports, CancellationToken cancellationToken)
    {
        if (limit < 1)
            return Usage("--limit must be 1 or more");
        if (minReports < 1)
            return Usage("--min-reports must be 1 or more");
        if (await FeedsCommandLine.BuildQuietAppAsync(settings) is not { } app)
            return FeedsCommandLine.BadInput;
        await using var _ = app;
        var store = app.Services.GetRequiredService<IPublishingStore>();
        var stories = app.Services.GetRequiredService<StoryPages>();
        var preferredSources = app.Services.GetRequiredService<FeedsConfigMonitor>().Current.Stories.PreferredSources;
        var ids = await store.GetLatestStoriesAsync(minReports, limit, cancellationToken);
        foreach (var id in ids)
        {
            if (await stories.GetAsync(id, preferredSources, cancellationToken) is not { } story)
                continue;
            Console.WriteLine($"story {id.ToString(CultureInfo.InvariantCulture)}: {story.Reports.Count} report(s), /stories/{id.ToString(CultureInfo.InvariantCulture)}");
            foreach (var report in story.Reports.Reverse())
                Console.WriteLine($"  {Time(report.PublishedAt)}  {report.SourceId,-20} {report.Title}");
        }
        Console.WriteLine(ids.Count == 0
            ? $"no stories with {minReports} or more reports"
            : $"{ids.Count} stor{(ids.Count == 1 ? "y" : "ies")} with {minReports} or more reports, latest first");
        return FeedsCommandLine.Ok;
    }

    private static int Usage(string problem)
    {
        Console.Error.WriteLine("stories: " + problem);
        return FeedsCommandLine.BadInput;
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
