using System.CommandLine;
using Feeds.Core.Sources;

namespace Feeds.Service.Cli;

/// <summary><c>feeds import-opml FILE [--section ID]</c> and <c>feeds export-opml [--output FILE]</c>.</summary>
internal static class OpmlCommands
{
    private static readonly Argument<FileInfo> FileArgument = new("file") { Description = "An OPML subscription list exported by another reader" };
    private static readonly Option<string?> SectionOption = new("--section") { Description = "Put every imported source in this section (default: the section named like the feed's OPML folder)" };
    private static readonly Option<FileInfo?> OutputOption = new("--output") { Description = "Write to this file instead of standard output" };

    public static Command CreateImport()
    {
        var command = new Command("import-opml", "Add the feeds of an OPML file to the config as sources, skipping ones already there") { FileArgument, SectionOption };
        command.SetAction(result => Import(FeedsCommandLine.Settings(result, null).ConfigPath, result.GetValue(FileArgument)!, result.GetValue(SectionOption)));
        return command;
    }

    public static Command CreateExport()
    {
        var command = new Command("export-opml", "Print the configured sources as OPML, one folder per section") { OutputOption };
        command.SetAction(result => Export(FeedsCommandLine.Settings(result, null).ConfigPath, result.GetValue(OutputOption)));
        return command;
    }

    private static int Import(string configPath, FileInfo file, string? sectionId)
    {
        var (config, problems) = ConfigLoader.TryLoad(configPath);
        if (config is null)
        {
            Console.Error.WriteLine($"import-opml: fix the config first ({problems.Count} problem(s)):");
            foreach (var problem in problems)
                Console.Error.WriteLine("  " + problem);
            return FeedsCommandLine.BadInput;
        }
        if (sectionId is not null && config.FindSection(sectionId) is null)
        {
            Console.Error.WriteLine($"import-opml: unknown section \"{sectionId}\"; known sections: {string.Join(", ", config.Sections.Select(s => s.Id))}");
            return FeedsCommandLine.BadInput;
        }
        IReadOnlyList<OpmlFeed> feeds;
        try
        {
            using var stream = file.OpenRead();
            feeds = Opml.ReadFeeds(stream);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            Console.Error.WriteLine($"import-opml: {file.FullName}: {e.Message}");
            return FeedsCommandLine.BadInput;
        }

        var sources = new List<NewSource>();
        var homeless = new List<OpmlFeed>();
        foreach (var feed in feeds)
        {
            var section = sectionId ?? config.Sections.FirstOrDefault(s =>
                string.Equals(s.Id, feed.Folder, StringComparison.OrdinalIgnoreCase) || string.Equals(s.Title, feed.Folder, StringComparison.OrdinalIgnoreCase))?.Id;
            if (section is null)
                homeless.Add(feed);
            else
                sources.Add(new NewSource(feed.Title, feed.XmlUrl, section));
        }
        if (homeless.Count > 0)
        {
            Console.Error.WriteLine($"import-opml: {homeless.Count} feed(s) are in no folder named after a section; pass --section ID or rename their folders:");
            foreach (var feed in homeless)
                Console.Error.WriteLine($"  {feed.Title} <{feed.XmlUrl}> (folder: {feed.Folder ?? "none"})");
            return FeedsCommandLine.BadInput;
        }
        try
        {
            var result = ConfigEditor.AddSources(configPath, sources);
            Console.WriteLine($"{configPath}: added {result.Added.Count} source(s), skipped {result.Skipped.Count} already present");
            foreach (var id in result.Added)
                Console.WriteLine($"  + {id}");
            foreach (var url in result.Skipped)
                Console.WriteLine($"  = {url}");
            return FeedsCommandLine.Ok;
        }
        catch (InvalidConfigException e)
        {
            Console.Error.WriteLine("import-opml: the config was left unchanged; with these sources it would be invalid:");
            Console.Error.WriteLine(e.Message);
            return FeedsCommandLine.BadInput;
        }
    }

    private static int Export(string configPath, FileInfo? output)
    {
        var (config, problems) = ConfigLoader.TryLoad(configPath);
        if (config is null)
        {
            foreach (var problem in problems)
                Console.Error.WriteLine(problem);
            return FeedsCommandLine.BadInput;
        }
        var opml = Opml.WriteSources(config);
        if (output is null)
            Console.WriteLine(opml);
        else
            File.WriteAllText(output.FullName, opml + Environment.NewLine);
        return FeedsCommandLine.Ok;
    }
}
