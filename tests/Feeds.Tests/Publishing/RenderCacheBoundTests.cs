using System.Text;
using Feeds.Core.Publishing;
using Feeds.Core.Sources;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Feeds.Tests.Publishing;

/// <summary>A render cache keeps at most its capacity of documents (the status pages' own caches keep 64): full, it starts over.</summary>
public sealed class RenderCacheBoundTests
{
    private static readonly FeedsConfig Config = new("feeds.json", [], [], new PublishingSettings());

    private readonly FakeTimeProvider _clock = new();
    private int _renders;

    private Task<RenderedDocument> GetAsync(RenderCache cache, string path) =>
        cache.GetAsync(new Uri("http://127.0.0.1/" + path), Config, version: 1, () =>
        {
            Interlocked.Increment(ref _renders);
            return Task.FromResult(new RenderedDocument(Encoding.UTF8.GetBytes(path), "text/plain", _clock.GetUtcNow()));
        }, CancellationToken.None);

    [Fact]
    public async Task DocumentsUpToTheCapacityAreKeptAndOneMoreStartsTheCacheOver()
    {
        var cache = new RenderCache(new RenderFaults(_clock, NullLogger<RenderFaults>.Instance), _clock, capacity: 2);

        var a = await GetAsync(cache, "a");
        var b = await GetAsync(cache, "b");
        Assert.Same(a, await GetAsync(cache, "a"));
        Assert.Same(b, await GetAsync(cache, "b"));
        Assert.Equal(2, _renders);

        await GetAsync(cache, "c");
        var aAgain = await GetAsync(cache, "a");

        Assert.Equal(4, _renders);
        Assert.NotSame(a, aAgain);
        Assert.Equal(a.ETag, aAgain.ETag);
    }
}
