using System.Net;
using System.Text.Json;
using Feeds.Core.Publishing;
using Feeds.Core.Refreshing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Feeds.Tests.Support;

namespace Feeds.Tests.Durability;

/// <summary>
/// The database's disk fills up, or turns read-only, under the running service: the failure shows on /healthz, on
/// each source's state and in one log line; the feeds keep being served; saving resumes by itself when the fault clears.
/// Runs on a small tmpfs, which needs root (as in CI); without it these tests fail, saying so (see <see cref="SmallDisk"/>).
/// SQLite only: the fault is in the file system under the database file, which a PostgreSQL store does not have (its
/// data is the server's, on the server's disk).
/// </summary>
[Collection(DurabilityCollection.Name)]
public sealed class ResourceFaultTests
{
    private static readonly object[] Sections = [new { id = "all", title = "All", description = "Every source" }];

    [Fact]
    public async Task AFullDiskIsReportedWhileFeedsAreStillServedAndSavingResumesWhenSpaceReturns()
    {
        using var disk = SmallDisk.Mount(megabytes: 8);
        await using var server = await LoopbackSourceServer.StartAsync();
        await using var rig = await ServeAndBreakAsync(server, disk, disk.Fill, contentBytes: 3000);
        var (host, refresher, store, config) = (rig.Host, rig.Refresher, rig.Store, rig.Config);

        // ENOSPC comes back as SQLITE_FULL from a write, now and then as SQLITE_IOERR from the shared-memory index of a read.
        var reason = store.WriteFault?.Reason;
        Assert.True(reason is not null && (reason.Contains("the disk is full") || reason.Contains("an I/O error")), reason);
        using (var health = await host.Client.GetAsync("healthz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Contains("the store cannot write", await health.Content.ReadAsStringAsync());
        }
        Assert.Equal(40, await CountServedAsync(host)); // what it has, it still serves
        Assert.All(await rig.States.GetSourceStatesAsync(CancellationToken.None), state =>
        {
            Assert.Equal(PollOutcome.Failed, state.LastOutcome);
            Assert.Equal("Storage", state.LastErrorCategory);
            Assert.Contains(reason, state.LastError);
        });
        Assert.Single(host.Logs, line => line.Contains("Cannot write the database", StringComparison.Ordinal) && line.Contains(host.DatabasePath, StringComparison.Ordinal));

        disk.Free();
        foreach (var source in config.Sources)
            Assert.Equal(20, Assert.IsType<RefreshResult.Updated>(await refresher.RefreshAsync(source, PollReason.Manual, CancellationToken.None)).Added);

        Assert.Null(store.WriteFault);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("healthz")).StatusCode);
        Assert.Equal(80, await CountServedOnceShownAsync(host, 80));
        Assert.All(await rig.States.GetSourceStatesAsync(CancellationToken.None), state => Assert.Equal(PollOutcome.Updated, state.LastOutcome));
        Assert.Contains(host.Logs, line => line.Contains("is writable again", StringComparison.Ordinal));
        Assert.Equal("ok", (await DatabaseAudit.ReadAsync(host.DatabasePath)).Integrity);
    }

    [Fact]
    public async Task AReadOnlyDatabaseIsReportedWhileFeedsAreStillServedAndSavingResumesWhenWritable()
    {
        using var disk = SmallDisk.Mount(megabytes: 16);
        await using var server = await LoopbackSourceServer.StartAsync();
        await using var rig = await ServeAndBreakAsync(server, disk, disk.MakeReadOnly, contentBytes: 1000);
        var (host, refresher, store, config) = (rig.Host, rig.Refresher, rig.Store, rig.Config);

        Assert.NotNull(store.WriteFault);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await host.Client.GetAsync("healthz")).StatusCode);
        Assert.Equal(40, await CountServedAsync(host)); // what it has, it still serves

        disk.MakeWritable();
        foreach (var source in config.Sources)
            Assert.Equal(20, Assert.IsType<RefreshResult.Updated>(await refresher.RefreshAsync(source, PollReason.Manual, CancellationToken.None)).Added);

        Assert.Null(store.WriteFault);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("healthz")).StatusCode);
        Assert.Equal(80, await CountServedOnceShownAsync(host, 80));
        Assert.Equal("ok", (await DatabaseAudit.ReadAsync(host.DatabasePath)).Integrity);
    }

    /// <summary>
    /// The service on <paramref name="disk"/> with two sources of 20 items stored and served; then <paramref name="fault"/>
    /// strikes, the sources publish 20 more items each, and a poll of each fails to save them.
    /// </summary>
    private static async Task<Rig> ServeAndBreakAsync(LoopbackSourceServer server, SmallDisk disk, Action fault, int contentBytes)
    {
        var sources = new ChangingSources(server, count: 2, itemsPerVersion: 20, contentBytes: contentBytes);
        var started = DateTimeOffset.UtcNow;
        var host = await FeedsTestHost.StartAsync(Sections, sources.ConfigEntries("all"), publishing: new { itemsPerFeed = 500 },
            databasePath: disk.File("feeds.db"));
        await host.WaitForPollsAsync(sources.Count, started);
        var rig = new Rig(host, host.Services.GetRequiredService<SourceRefresher>(), host.Services.GetRequiredService<IPollStore>(),
            host.Services.GetRequiredService<IStatusStore>(), host.Services.GetRequiredService<FeedsConfigMonitor>().Current);
        Assert.Equal(40, await CountServedAsync(host));

        fault();
        sources.AdvanceAll();
        foreach (var source in rig.Config.Sources)
            await Assert.ThrowsAnyAsync<Exception>(() => rig.Refresher.RefreshAsync(source, PollReason.Manual, CancellationToken.None));
        return rig;
    }

    private sealed record Rig(FeedsTestHost Host, SourceRefresher Refresher, IPollStore Store, IStatusStore States, FeedsConfig Config) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Host.DisposeAsync();
    }

    /// <summary>
    /// The items served, asked again until they are <paramref name="expected"/> or the render cache's promise has passed
    /// (a feed rendered less than <see cref="RenderCache.RefreshInterval"/> before the polls is served as it was meanwhile).
    /// </summary>
    private static async Task<int> CountServedOnceShownAsync(FeedsTestHost host, int expected)
    {
        var deadline = DateTime.UtcNow + RenderCache.RefreshInterval + TimeSpan.FromSeconds(4);
        var served = await CountServedAsync(host);
        while (served != expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            served = await CountServedAsync(host);
        }
        return served;
    }

    private static async Task<int> CountServedAsync(FeedsTestHost host)
    {
        using var response = await host.Client.GetAsync("sections/all/json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var feed = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return feed.RootElement.GetProperty("items").GetArrayLength();
    }
}
