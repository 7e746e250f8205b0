namespace Feeds.Tests.Storage.Contracts;

/// <summary>
/// Everything the contract suite needs to know of one store implementation: how to make a fresh store, how to open a
/// backup it wrote, and how to make its saves fail as a full disk or a read-only file would. The suite itself is written
/// against the contracts only; SQLite implements this in <see cref="SqliteStores"/>, PostgreSQL in <see cref="PostgresStores"/>.
/// </summary>
public interface IStoreFactory
{
    /// <summary>A fresh, empty store of its own, its schema migrated, reading the time from <paramref name="clock"/>.</summary>
    Task<StoreUnderTest> CreateMigratedAsync(TimeProvider clock);

    /// <summary>A store over the copy <see cref="Feeds.Core.Storage.IBackupStore.BackupAsync"/> wrote at <paramref name="backupPath"/> (restored, where the implementation needs that).</summary>
    Task<StoreUnderTest> OpenBackupAsync(string backupPath, TimeProvider clock);

    /// <summary>
    /// Makes <paramref name="store"/>'s saves fail for a reason outside the program until the answer is disposed. A machine
    /// where that cannot be arranged fails the test that asks; it never passes it.
    /// </summary>
    Task<IAsyncDisposable> BreakWritesAsync(StoreUnderTest store);

    /// <summary>
    /// Upgrades <paramref name="store"/>'s rows as a database of a build before <c>story_reports</c> would be: the database
    /// is turned back into what that build left (the story ids and terms in <c>items</c>, no <c>story_reports</c>), then
    /// the migrations that made the table and moved the story ids into it are run on it.
    /// </summary>
    Task UpgradeFromBeforeStoryReportsAsync(StoreUnderTest store);

    /// <summary>
    /// Runs <paramref name="sql"/> (statements both dialects take) on <paramref name="store"/>'s database, as another build
    /// would have written it, and makes the store's pooled connections forget the statements they prepared.
    /// </summary>
    Task ExecuteAsync(StoreUnderTest store, string sql);
}
