using Feeds.Core.Composition;
using Feeds.Core.Storage;
using Feeds.Tests.Storage.Contracts;

namespace Feeds.Tests.Support;

/// <summary>A real SQLite store in a fresh temp folder, migrated, used through its contracts; the folder goes with it on dispose.</summary>
public sealed class TempStore : StoreUnderTest
{
    private readonly TempFolder _folder;

    private TempStore(TempFolder folder, string databasePath, ServiceProvider services) : base(services) =>
        (_folder, DatabasePath) = (folder, databasePath);

    public string DatabasePath { get; }

    /// <summary>The folder the database file and its WAL are in.</summary>
    public string Folder => _folder.Path;

    public static async Task<TempStore> CreateAsync(TimeProvider clock)
    {
        var folder = new TempFolder();
        var path = folder.File("feeds.db");
        var store = new TempStore(folder, path, new ServiceCollection().AddSingleton(clock).AddFeedsStore(path).BuildServiceProvider());
        await store.Schema.MigrateAsync(CancellationToken.None);
        return store;
    }

    public override void Dispose()
    {
        base.Dispose();
        _folder.Dispose();
    }
}
