using Feeds.Core.Fetching;
using Feeds.Core.Storage;

namespace Feeds.Tests.Storage.Contracts;

/// <summary>The promises of <see cref="IBackupStore"/>: a checked copy that opens with the same items and states, or a failure as a value.</summary>
public abstract class BackupStoreContract<TStores> : StoreContract<TStores> where TStores : IStoreFactory, new()
{
    [Fact]
    public async Task ABackupIsACopyThatOpensWithTheSameItemsAndStates()
    {
        await Store.Polls.SavePollAsync(State("wire") with { Validators = new Validators("\"v1\"", null) },
            [Item("a", published: Now.AddHours(-3)), Item("b", published: Now.AddHours(-2)), Item("c", published: Now.AddHours(-1))], None);
        await SaveAsync("desk", Item("d"));
        var path = Scratch.File("copy");

        var result = await Store.Backup.BackupAsync(path, None);

        Assert.Equal(new BackupResult.Written(path, 4), result);
        using var copy = await Stores.OpenBackupAsync(path, Clock);
        await copy.Schema.MigrateAsync(None);
        Assert.Equal(await KeysAsync("wire", "desk"), await KeysAsync(copy, "wire", "desk"));
        Assert.Equal(await Store.Status.GetSourceStatesAsync(None), await copy.Status.GetSourceStatesAsync(None));
        Assert.Equal(await Store.Polls.GetItemHashesAsync("wire", None), await copy.Polls.GetItemHashesAsync("wire", None));
    }

    [Fact]
    public async Task ABackupReplacesAnEarlierOneAtTheSamePlace()
    {
        var path = Scratch.File("copy");
        await SaveAsync("wire", Item("a"));
        await Store.Backup.BackupAsync(path, None);
        await SaveAsync("wire", Item("b"));

        var result = await Store.Backup.BackupAsync(path, None);

        Assert.Equal(new BackupResult.Written(path, 2), result);
        using var copy = await Stores.OpenBackupAsync(path, Clock);
        Assert.Equal(["a", "b"], (await KeysAsync(copy, "wire")).Order());
    }

    [Fact]
    public async Task ABackupThatCannotBeWrittenFailsAsAValueAndLeavesNothing()
    {
        await SaveAsync("wire", Item("a"));
        var path = Path.Combine(Scratch.File("no-such-folder"), "copy");

        var result = await Store.Backup.BackupAsync(path, None);

        var failed = Assert.IsType<BackupResult.Failed>(result);
        Assert.False(string.IsNullOrWhiteSpace(failed.Reason));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Scratch.Path));
    }
}
