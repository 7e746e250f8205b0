using System.CommandLine;
using Feeds.Core.Sources;

namespace Feeds.Service.Cli;

/// <summary><c>feeds check-config [PATH]</c>: exit 0, or list every problem with where it is and exit 2.</summary>
internal static class CheckConfigCommand
{
    private static readonly Argument<string?> PathArgument = new("path") { Description = "The config file (default: --config, $FEEDS_CONFIG or config/feeds.json)", Arity = ArgumentArity.ZeroOrOne };

    public static Command Create()
    {
        var command = new Command("check-config", "Validate a config file and list every problem in it") { PathArgument };
        command.SetAction(result => Run(result.GetValue(PathArgument) ?? FeedsCommandLine.Settings(result, null).ConfigPath));
        return command;
    }

    private static int Run(string path)
    {
        var (config, problems) = ConfigLoader.TryLoad(path);
        if (config is null)
        {
            Console.Error.WriteLine($"{path}: {problems.Count} problem(s)");
            foreach (var problem in problems)
                Console.Error.WriteLine("  " + problem);
            return FeedsCommandLine.BadInput;
        }
        Console.WriteLine($"{path}: OK, {config.Sections.Count} sections, {config.Sources.Count} sources");
        return FeedsCommandLine.Ok;
    }
}
