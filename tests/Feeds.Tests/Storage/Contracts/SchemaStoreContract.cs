using Feeds.Core.Fetching;
using Feeds.Core.Storage;

namespace Feeds.Tests.Storage.Contracts;

/// <summary>The promise of <see cref="ISchemaStore"/> every implementation keeps: migrating is idempotent.</summary>
public abstract class SchemaStoreContract<TStores> : StoreContract<TStores> where TStores : IStoreFactory, new()
{
    [Fact]
    public async Task MigratingAgainChangesNothing()
    {
        await Store.Polls.SavePollAsync(State("wire") with { Validators = new Validators("\"v1\"", null) }, [Item("a"), Item("b")], None);
        var (keys, states) = (await KeysAsync("wire"), await Store.Status.GetSourceStatesAsync(None));

        await Store.Schema.MigrateAsync(None);
        await Store.Schema.MigrateAsync(None);

        Assert.Equal(keys, await KeysAsync("wire"));
        Assert.Equal(states, await Store.Status.GetSourceStatesAsync(None));
        Assert.Equal(new SaveResult(1, 0), await SaveAsync("wire", Item("a"), Item("c")));
    }
}
