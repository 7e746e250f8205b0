using System.Net;
using Feeds.Core.Status;
using Feeds.Core.Storage;
using Feeds.Tests.Support;

namespace Feeds.Tests.EndToEnd;

/// <summary>
/// The status snapshot of every source, and the pages kept from it, go when nobody asked <c>/status</c> for
/// <see cref="StatusLifetime.IdleRelease"/> (a second here), and the next request builds it again: told by the reads of every
/// source's state that reach a decorated <see cref="IStatusStore"/> of the real service. On SQLite;
/// <see cref="PostgresStatusReleaseTests"/> runs the same on PostgreSQL.
/// </summary>
public class StatusReleaseTests : IAsyncLifetime
{
    protected virtual StoreKind Store => StoreKind.Sqlite;

    private static readonly StatusLifetime Lifetime = new(TimeSpan.FromSeconds(1));

    private LoopbackSourceServer _sources = null!;
    private FeedsTestHost _host = null!;
    private CountingStatusStore _status = null!;

    public async Task InitializeAsync()
    {
        _sources = await LoopbackSourceServer.StartAsync();
        _sources.Serve("/wire.rss", TestFiles.SampleBytes("world-wire.rss"));
        var started = DateTimeOffset.UtcNow;
        _host = await FeedsTestHost.StartAsync(
            new[] { new { id = "world", title = "World", description = "" } },
            new[] { new { id = "wire", url = new Uri(_sources.BaseUri, "wire.rss").AbsoluteUri, sections = new[] { "world" } } },
            replaceServices: services => services
                .AddSingleton(Lifetime)
                .Decorate<IStatusStore>(inner => _status = new CountingStatusStore(inner)),
            store: Store);
        await _host.WaitForPollsAsync(1, started);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _sources.DisposeAsync();
    }

    [Fact]
    public async Task TheSnapshotNobodyAskedForIsLetGoAndBuiltAgainOnTheNextRequest()
    {
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var first = await _host.Client.GetAsync("status");
        var builds = _status.StateReads;
        using var kept = await _host.Client.GetAsync("status");
        var keptBuilds = _status.StateReads;
        _host.Services.GetRequiredService<StatusViews>().Released += () => released.TrySetResult();

        // Nobody asks: within two idle times the snapshot goes.
        await released.Task.WaitAsync(TimeSpan.FromSeconds(10) + 2 * Lifetime.IdleRelease);
        using var again = await _host.Client.GetAsync("status");

        Assert.True(builds > 0, "the first request built no snapshot: the precondition of the test is missing");
        Assert.Equal(builds, keptBuilds);
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, kept.StatusCode, again.StatusCode));
        Assert.Equal(builds + 1, _status.StateReads);
        Assert.Contains("wire", await again.Content.ReadAsStringAsync());
    }

    /// <summary>The status store of the real service, counting the reads of every source's state (one per snapshot built).</summary>
    private sealed class CountingStatusStore(IStatusStore inner) : IStatusStore
    {
        private int _stateReads;

        public int StateReads => Volatile.Read(ref _stateReads);

        public IAsyncEnumerable<SourceState> ReadSourceStatesAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _stateReads);
            return inner.ReadSourceStatesAsync(cancellationToken);
        }

        public Task<IReadOnlyDictionary<string, ItemStatistics>> GetItemStatisticsAsync(CancellationToken cancellationToken) =>
            inner.GetItemStatisticsAsync(cancellationToken);

        public long ChangeCount => inner.ChangeCount;

        public Task<bool> IsHealthyAsync(CancellationToken cancellationToken) => inner.IsHealthyAsync(cancellationToken);
    }
}

/// <summary>The same test with the service storing in PostgreSQL.</summary>
public sealed class PostgresStatusReleaseTests : StatusReleaseTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}
