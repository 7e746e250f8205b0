using System.CommandLine;
using Feeds.Core.Composition;
using Feeds.Core.Storage;

namespace Feeds.Service.Cli;

/// <summary><c>feeds backup FILE</c>: a consistent copy of the database, taken while the service runs.</summary>
internal static class BackupCommand
{
    private static readonly Argument<FileInfo> FileArgument = new("file") { Description = "Where to write the copy (replaced if it exists)" };

    public static Command Create()
    {
        var command = new Command("backup", "Copy the database consistently (SQLite online backup), even while the service runs") { FileArgument };
        command.SetAction((result, cancellationToken) => RunAsync(FeedsCommandLine.Settings(result, null).DatabasePath, result.GetValue(FileArgument)!, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string databasePath, FileInfo destination, CancellationToken cancellationToken)
    {
        if (!File.Exists(databasePath))
        {
            Console.Error.WriteLine($"backup: no database at {Path.GetFullPath(databasePath)} (pass --db PATH)");
            return FeedsCommandLine.BadInput;
        }
        // Only the store: a backup needs no config, no schedule and no HTTP.
        await using var store = new ServiceCollection().AddSingleton(TimeProvider.System).AddFeedsStore(databasePath).BuildServiceProvider();
        switch (await store.GetRequiredService<IBackupStore>().BackupAsync(destination.FullName, cancellationToken))
        {
            case BackupResult.Written written:
                Console.WriteLine($"backup: {written.Path}: {written.Items} items, integrity ok");
                return FeedsCommandLine.Ok;
            case BackupResult.Failed failed:
                Console.Error.WriteLine($"backup: {failed.Reason}");
                return FeedsCommandLine.Failure;
            default:
                throw new System.Diagnostics.UnreachableException();
        }
    }
}
