using System.CommandLine;
using Feeds.Core.Sources;
using Feeds.Service.Hosting;

namespace Feeds.Service.Cli;

/// <summary><c>feeds serve</c>: the scheduler and the HTTP endpoints, until Ctrl+C or SIGTERM.</summary>
internal static class ServeCommand
{
    private static readonly Option<string> UrlsOption = new("--urls") { Description = "Where to listen (default: $FEEDS_URLS or http://127.0.0.1:5080)" };

    public static Command Create()
    {
        var command = new Command("serve", "Poll the sources on their schedule and serve the section feeds (the default)") { UrlsOption, FeedsCommandLine.LogFormatOption };
        command.SetAction((result, cancellationToken) => RunAsync(FeedsCommandLine.Settings(result, result.GetValue(UrlsOption)), cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(FeedsSettings settings, CancellationToken cancellationToken)
    {
        WebApplication app;
        try
        {
            app = await FeedsApp.BuildAsync(settings);
        }
        catch (InvalidConfigException e)
        {
            Console.Error.WriteLine(e.Message);
            return FeedsCommandLine.BadInput;
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine(e.Message);
            return FeedsCommandLine.Failure;
        }
        await using (app)
        {
            // SIGTERM and Ctrl+C arrive through System.CommandLine's token; the host then stops gracefully, within
            // its shutdown timeout: requests in flight complete, running polls finish or are cancelled.
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (IOException e)
            {
                Console.Error.WriteLine($"serve: cannot listen on {settings.Urls}: {e.Message} (is another Feeds running? pass another address with --urls)");
                return FeedsCommandLine.Failure;
            }
            await app.WaitForShutdownAsync(cancellationToken);
        }
        return FeedsCommandLine.Ok;
    }
}
