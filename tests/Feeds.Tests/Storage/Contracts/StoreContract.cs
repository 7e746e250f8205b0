using Feeds.Core.Normalization;
using Feeds.Core.Storage;
using Feeds.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Feeds.Tests.Storage.Contracts;

/// <summary>
/// What every contract test starts from: a fresh, migrated store of the implementation <typeparamref name="TStores"/> makes,
/// one per test, on a clock the test moves. Nothing here may assume an implementation: a PostgreSQL store runs the same tests.
/// </summary>
public abstract class StoreContract<TStores> : IAsyncLifetime where TStores : IStoreFactory, new()
{
    protected static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    protected static readonly CancellationToken None = CancellationToken.None;

    protected FakeTimeProvider Clock { get; } = new(Now);

    protected TStores Stores { get; } = new();

    protected StoreUnderTest Store { get; private set; } = null!;

    /// <summary>A folder for files a test asks the store to write (backups).</summary>
    protected TempFolder Scratch { get; } = new();

    public async Task InitializeAsync() => Store = await Stores.CreateMigratedAsync(Clock);

    public Task DisposeAsync()
    {
        Store.Dispose();
        Scratch.Dispose();
        return Task.CompletedTask;
    }

    protected static SourceState State(string sourceId) => new() { SourceId = sourceId, Url = $"https://{sourceId}.example.com/rss" };

    /// <summary>An item as normalization would hand it over, story keys included.</summary>
    protected static NormalizedItem Item(string key, string hash = "h1", DateTimeOffset? published = null, string? title = null, string? link = null) => new NormalizedItem
    {
        Key = key,
        ContentHash = hash,
        Title = title ?? $"A headline of its own: {key}",
        Link = link ?? $"https://example.com/{key}",
        Published = published,
        Authors = [new Person("Jane Doe", null, null)],
        Categories = ["World"],
    }.WithStoryKeys();

    protected Task<SaveResult> SaveAsync(string sourceId, params NormalizedItem[] items) => Store.Polls.SavePollAsync(State(sourceId), items, None);

    /// <summary>The item keys of the sources, newest first, as a page shows them.</summary>
    protected static async Task<string[]> KeysAsync(StoreUnderTest store, params string[] sourceIds) =>
        (await store.Publishing.GetItemsAsync(sourceIds, ItemCursor.Newest, 1000, None)).Select(i => i.ItemKey).ToArray();

    protected Task<string[]> KeysAsync(params string[] sourceIds) => KeysAsync(Store, sourceIds);
}
