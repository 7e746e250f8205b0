using Feeds.Core.Storage;

namespace Feeds.Tests.Support;

/// <summary>A real SQLite store in a fresh temp folder, migrated; the folder goes with it on dispose.</summary>
public sealed class TempStore : IDisposable
{
    private readonly TempFolder _folder;

    private TempStore(TempFolder folder, SqliteFeedStore store) => (_folder, Store) = (folder, store);

    public SqliteFeedStore Store { get; }

    public string DatabasePath => Store.DatabasePath;

    public static async Task<TempStore> CreateAsync(TimeProvider clock)
    {
        var folder = new TempFolder();
        var store = new SqliteFeedStore(folder.File("feeds.db"), clock);
        await store.MigrateAsync(CancellationToken.None);
        return new TempStore(folder, store);
    }

    public void Dispose()
    {
        Store.Dispose();
        _folder.Dispose();
    }
}
