using System.Reflection;
using Feeds.Core.Normalization;
using Feeds.Core.Refreshing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Feeds.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Feeds.Core.Composition;

namespace Feeds.Tests.Refreshing;

/// <summary>Any exception in a poll, bugs included, ends as a recorded failure of that source, never a silent one.</summary>
public sealed class InternalFailureTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
    private LoopbackSourceServer _server = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _server = await LoopbackSourceServer.StartAsync();
        _services = new ServiceCollection()
            .AddSingleton<TimeProvider>(_clock)
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .AddFeedsCore(_folder.File("feeds.db"), TestFetching.Loopback)
            // A store with a bug: it throws on any poll that brings items.
            .Decorate<IPollStore>(FailingItemWrites.Around)
            .BuildServiceProvider();
        await _services.GetRequiredService<ISchemaStore>().MigrateAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _server.DisposeAsync();
        _folder.Dispose();
    }

    private IPollStore Polls => _services.GetRequiredService<IPollStore>();

    [Fact]
    public async Task AnExceptionInAPollIsRecordedOnTheSourceAsInternalAndBacksOff()
    {
        var url = _server.Serve("/wire.rss", TestFiles.SampleBytes("world-wire.rss"));
        var source = new Source("wire", "Wire", SourceLocation.ForUrl(url), ["world"], TimeSpan.FromMinutes(15));
        var refresher = _services.GetRequiredService<SourceRefresher>();

        var result = await refresher.RefreshAsync(source, PollReason.Manual, CancellationToken.None);

        var failed = Assert.IsType<RefreshResult.Failed>(result);
        Assert.Equal(SourceRefresher.InternalFailure, failed.Category);
        var state = (await Polls.GetSourceStateAsync("wire", CancellationToken.None))!;
        Assert.Equal(PollOutcome.Failed, state.LastOutcome);
        Assert.Equal("Internal", state.LastErrorCategory);
        Assert.Contains("a bug in the store", state.LastError);
        Assert.Equal(_clock.GetUtcNow(), state.LastAttemptAt);
        Assert.Equal(1, state.ConsecutiveFailures);
        Assert.True(state.RetryNotBefore > _clock.GetUtcNow(), "an internal failure backs off like any other");
        // Backed off: a scheduled poll right after does not fetch again.
        Assert.IsType<RefreshResult.NotDue>(await refresher.RefreshAsync(source, PollReason.Schedule, CancellationToken.None));
        Assert.Equal(1, _server.RequestCount("/wire.rss"));
    }

    /// <summary>Passes every call to the real store, except that a poll with items throws as a bug would.</summary>
    public class FailingItemWrites : DispatchProxy
    {
        private IPollStore _inner = null!;

        public static IPollStore Around(IPollStore inner)
        {
            var proxy = Create<IPollStore, FailingItemWrites>();
            ((FailingItemWrites)(object)proxy)._inner = inner;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            if (method!.Name == nameof(IPollStore.SavePollAsync) && args![1] is IReadOnlyList<NormalizedItem> { Count: > 0 })
                throw new InvalidOperationException("a bug in the store");
            try
            {
                return method.Invoke(_inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw e.InnerException;
            }
        }
    }
}
