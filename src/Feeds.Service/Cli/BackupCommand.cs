using System.CommandLine;
using Feeds.Core.Storage;
using Microsoft.Data.Sqlite;

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
        using var store = new SqliteFeedStore(databasePath, TimeProvider.System);
        try
        {
            var (_, items) = await store.BackupAsync(destination.FullName, cancellationToken);
            Console.WriteLine($"backup: {destination.FullName}: {items} items, integrity ok");
            return FeedsCommandLine.Ok;
        }
        catch (Exception e) when (e is SqliteException or IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"backup: {e.Message}");
            return FeedsCommandLine.Failure;
        }
    }
}
