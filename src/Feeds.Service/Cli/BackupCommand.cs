using System.CommandLine;
using Feeds.Core.Composition;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Feeds.Service.Hosting;

namespace Feeds.Service.Cli;

/// <summary><c>feeds backup FILE</c>: a consistent copy of the database, taken while the service runs.</summary>
internal static class BackupCommand
{
    private static readonly Argument<FileInfo> FileArgument = new("file") { Description = "Where to write the copy (replaced if it exists)" };

    public static Command Create()
    {
        var command = new Command("backup", "Copy the database consistently, even while the service runs (SQLite: its online backup; PostgreSQL: pg_dump --format=custom)")
        {
            FileArgument,
        };
        command.SetAction((result, cancellationToken) => RunAsync(FeedsCommandLine.Settings(result, null), result.GetValue(FileArgument)!, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(FeedsSettings settings, FileInfo destination, CancellationToken cancellationToken)
    {
        StorageSettings storage;
        try
        {
            storage = settings.Storage(ReadConfigForStorage(settings));
        }
        catch (InvalidConfigException e)
        {
            Console.Error.WriteLine(e.Message);
            return FeedsCommandLine.BadInput;
        }
        if (storage.Provider == StorageProvider.Sqlite && !File.Exists(settings.DatabasePath))
        {
            Console.Error.WriteLine($"backup: no database at {Path.GetFullPath(settings.DatabasePath)} (pass --db PATH)");
            return FeedsCommandLine.BadInput;
        }
        // Only the store: a backup needs no schedule and no HTTP.
        await using var store = new ServiceCollection().AddSingleton(TimeProvider.System).AddFeedsStore(storage, settings.DatabasePath).BuildServiceProvider();
        BackupResult result;
        try
        {
            result = await store.GetRequiredService<IBackupStore>().BackupAsync(destination.FullName, cancellationToken);
        }
        catch (DatabaseRefusedException e)
        {
            Console.Error.WriteLine($"backup: {e.Message}");
            return FeedsCommandLine.BadInput;
        }
        switch (result)
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

    /// <summary>
    /// The config, read only for its <c>storage</c> object when neither the command line nor the environment names the
    /// store (and, for PostgreSQL, its connection string); null when there is no config file.
    /// </summary>
    /// <exception cref="InvalidConfigException">The config file exists and has problems.</exception>
    private static FeedsConfig? ReadConfigForStorage(FeedsSettings settings)
    {
        var namedWithoutConfig = settings.StoreProvider is { } store
            && (settings.ConnectionString is not null || (StorageProviders.TryParse(store.Value, out var provider) && provider == StorageProvider.Sqlite));
        return namedWithoutConfig || !File.Exists(settings.ConfigPath) ? null : ConfigLoader.Load(settings.ConfigPath);
    }
}
