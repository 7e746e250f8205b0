using System.Diagnostics;
using Dapper;
using Feeds.Core.Composition;
using Feeds.Core.Storage;
using Feeds.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Feeds.Tests.Storage.Contracts;

// The contract suite run against the SQLite store, each on a real file in a fresh temp folder.
public sealed class SqlitePollStoreContract : PollStoreContract<SqliteStores>;

public sealed class SqlitePublishingStoreContract : PublishingStoreContract<SqliteStores>;

public sealed class SqliteSearchStoreContract : SearchStoreContract<SqliteStores>
{
    // SQLite's unicode61 tokenizer folds diacritics (remove_diacritics 2); PostgreSQL's 'simple' configuration keeps them.
    [Fact]
    public async Task DiacriticsDoNotCount()
    {
        await SaveNewsAsync();

        Assert.Equal(["w3"], await SearchAsync("cafe"));
    }
}

public sealed class SqliteStatusStoreContract : StatusStoreContract<SqliteStores>;

public sealed class SqliteRetentionStoreContract : RetentionStoreContract<SqliteStores>;

public sealed class SqliteActivityStoreContract : ActivityStoreContract<SqliteStores>;

public sealed class SqliteScheduleStoreContract : ScheduleStoreContract<SqliteStores>;

public sealed class SqliteBackupStoreContract : BackupStoreContract<SqliteStores>;

public sealed class SqliteSchemaStoreContract : SchemaStoreContract<SqliteStores>;

/// <summary>SQLite stores for the contract suite: a <see cref="TempStore"/> each, a backup opened where it was written.</summary>
public sealed class SqliteStores : IStoreFactory
{
    public async Task<StoreUnderTest> CreateMigratedAsync(TimeProvider clock) => await TempStore.CreateAsync(clock);

    public Task<StoreUnderTest> OpenBackupAsync(string backupPath, TimeProvider clock) =>
        Task.FromResult(new StoreUnderTest(new ServiceCollection().AddSingleton(clock).AddFeedsStore(backupPath).BuildServiceProvider()));

    /// <summary>
    /// The store's folder turns read-only under it (a read-only bind mount over itself, as <see cref="SmallDisk"/> does),
    /// which needs root, as the tests have in CI; without it the test fails and says so.
    /// </summary>
    public Task<IAsyncDisposable> BreakWritesAsync(StoreUnderTest store)
    {
        var folder = ((TempStore)store).Folder;
        if (Mount("--bind", folder, folder) != 0)
            throw new InvalidOperationException($"could not bind-mount {folder} to make it read-only: this test needs root (mount), as in CI");
        if (Mount("-o", "remount,bind,ro", folder) != 0)
        {
            Unmount(folder);
            throw new InvalidOperationException($"could not remount {folder} read-only: this test needs root (mount), as in CI");
        }
        // Pooled connections keep their writable handles: every new one opens the file through the read-only mount.
        SqliteConnection.ClearAllPools();
        return Task.FromResult<IAsyncDisposable>(new WritableAgain(folder));
    }

    public Task UpgradeFromBeforeStoryReportsAsync(StoreUnderTest store) =>
        ExecuteAsync(store, StoryReportsUpgrade.Revert + StoryReportsUpgrade.Migrations("Sqlite"));

    public async Task ExecuteAsync(StoreUnderTest store, string sql)
    {
        await using (var connection = new SqliteConnection($"Data Source={((TempStore)store).DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync();
            await connection.ExecuteAsync(sql);
        }
        // The store's pooled connections prepared their statements against the database as it was.
        SqliteConnection.ClearAllPools();
    }

    private sealed class WritableAgain(string folder) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            if (Mount("-o", "remount,bind,rw", folder) != 0)
                throw new InvalidOperationException($"could not make {folder} writable again");
            Unmount(folder);
            return ValueTask.CompletedTask;
        }
    }

    private static void Unmount(string folder)
    {
        // Connections opened through the mount hold it: closed first, and lazily unmounted in case one is still in use.
        SqliteConnection.ClearAllPools();
        Run("umount", "-l", folder);
    }

    private static int Mount(params string[] args) => Run("mount", args);

    private static int Run(string command, params string[] args)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(command, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1; // no such command
        }
    }
}
