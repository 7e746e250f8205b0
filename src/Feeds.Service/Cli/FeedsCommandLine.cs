using System.CommandLine;
using Feeds.Core.Sources;
using Feeds.Service.Hosting;

namespace Feeds.Service.Cli;

/// <summary>The command line. Exit codes: 0 ok, 1 failure, 2 bad usage or bad input.</summary>
internal static class FeedsCommandLine
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int BadInput = 2;

    public static readonly Option<string> ConfigOption = new("--config") { Description = "The config file (default: $FEEDS_CONFIG or config/feeds.json)", Recursive = true };
    public static readonly Option<string> DatabaseOption = new("--db") { Description = "The SQLite database file (default: $FEEDS_DB or data/feeds.db)", Recursive = true };
    public static readonly Option<string> StoreOption = CreateStoreOption();
    public static readonly Option<string> ConnectionOption = new("--connection")
    {
        Description = "The PostgreSQL connection string, with --store postgres (default: $FEEDS_STORAGE__CONNECTIONSTRING, $FEEDS_POSTGRES or the config's storage.connectionString)",
        Recursive = true,
    };
    public static readonly Option<string> LogFormatOption = CreateLogFormatOption();

    public static async Task<int> InvokeAsync(string[] args)
    {
        var root = new RootCommand("Feeds: polls news feeds and republishes them as per-section RSS and Atom feeds.")
        {
            ConfigOption,
            DatabaseOption,
            StoreOption,
            ConnectionOption,
            LogFormatOption,
        };
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(ParseCommand.Create());
        root.Subcommands.Add(CheckConfigCommand.Create());
        root.Subcommands.Add(RefreshCommand.Create());
        root.Subcommands.Add(SourcesCommand.Create());
        root.Subcommands.Add(StoriesCommand.Create());
        root.Subcommands.Add(OpmlCommands.CreateImport());
        root.Subcommands.Add(OpmlCommands.CreateExport());
        root.Subcommands.Add(BackupCommand.Create());
        // With no verb, serve.
        root.SetAction((result, cancellationToken) => ServeCommand.RunAsync(Settings(result, urls: null), cancellationToken));

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
                Console.Error.WriteLine(error.Message);
            Console.Error.WriteLine("Run 'feeds --help' for usage.");
            return BadInput;
        }
        // System.CommandLine ends the process 2 s after SIGTERM or Ctrl+C unless told otherwise; serve's own graceful
        // stop may take up to FeedsApp.ShutdownTimeout, and must end with its own exit code, not 143.
        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = FeedsApp.ShutdownTimeout + TimeSpan.FromSeconds(5) });
    }

    /// <summary>The service's parts for a one-shot command, logging only warnings; null (problems printed) when the config is invalid.</summary>
    public static async Task<WebApplication?> BuildQuietAppAsync(FeedsSettings settings)
    {
        try
        {
            return await FeedsApp.BuildAsync(settings, builder => builder.Logging.SetMinimumLevel(LogLevel.Warning));
        }
        catch (InvalidConfigException e)
        {
            Console.Error.WriteLine(e.Message);
            return null;
        }
        catch (InvalidOperationException e)
        {
            // The store refused: a database that is not Feeds', or a server that cannot be reached.
            Console.Error.WriteLine(e.Message);
            return null;
        }
    }

    public static FeedsSettings Settings(ParseResult result, string? urls) =>
        FeedsSettings.Resolve(result.GetValue(ConfigOption), result.GetValue(DatabaseOption), urls, result.GetValue(LogFormatOption),
            result.GetValue(StoreOption), result.GetValue(ConnectionOption));

    /// <summary><c>--store sqlite|postgres</c>, on every verb (like <c>--db</c>); the ones that touch the store use it.</summary>
    private static Option<string> CreateStoreOption()
    {
        var option = new Option<string>("--store")
        {
            Description = "The store: sqlite (the file --db) or postgres (the database --connection names) (default: $FEEDS_STORAGE__PROVIDER, postgres when $FEEDS_POSTGRES is set, the config's storage.provider, or sqlite)",
            Recursive = true,
        };
        option.AcceptOnlyFromAmong("sqlite", "postgres");
        return option;
    }

    /// <summary><c>--log-format console|json</c>, taken by the verbs that log as they run (serve, refresh).</summary>
    private static Option<string> CreateLogFormatOption()
    {
        var option = new Option<string>("--log-format") { Description = "How to write logs: console (text lines) or json (one object per line) (default: $FEEDS_LOG_FORMAT or console)" };
        option.AcceptOnlyFromAmong("console", "json");
        return option;
    }
}
