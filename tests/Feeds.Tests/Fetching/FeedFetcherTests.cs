using Feeds.Core;
using Feeds.Core.Fetching;
using Feeds.Core.Sources;
using Feeds.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Feeds.Tests.Fetching;

public sealed class FeedFetcherTests : IAsyncLifetime
{
    private LoopbackSourceServer _server = null!;
    private ServiceProvider _services = null!;
    private FeedFetcher Fetcher => _services.GetRequiredService<FeedFetcher>();

    public async Task InitializeAsync()
    {
        _server = await LoopbackSourceServer.StartAsync();
        _services = new ServiceCollection().AddSingleton(TimeProvider.System).AddFeedsCore(":memory:").BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task ARepeatRequestSendsTheValidatorsAndA304ChangesNothing()
    {
        var url = _server.Serve("/feed.xml", TestFiles.SampleBytes("world-wire.rss"));

        var first = Assert.IsType<FetchResult.Fetched>(await Fetcher.FetchAsync(SourceLocation.ForUrl(url), Validators.None, CancellationToken.None));
        var second = await Fetcher.FetchAsync(SourceLocation.ForUrl(url), first.Validators, CancellationToken.None);

        Assert.NotNull(first.Validators.ETag);
        Assert.NotNull(first.Validators.LastModified);
        Assert.Equal(first.Validators, Assert.IsType<FetchResult.NotModified>(second).Validators);
        Assert.Equal(1, _server.ConditionalRequestCount("/feed.xml"));
    }

    [Fact]
    public async Task RateLimitingCarriesTheRetryAfterDelay()
    {
        var url = _server.ServeStatus("/busy", 429, retryAfterSeconds: 120);

        var failed = Assert.IsType<FetchResult.Failed>(await Fetcher.FetchAsync(SourceLocation.ForUrl(url), Validators.None, CancellationToken.None));

        Assert.Equal(FetchFailure.RateLimited, failed.Category);
        Assert.Equal(429, failed.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(120), failed.RetryAfter);
    }

    [Theory]
    [InlineData(404, FetchFailure.HttpStatus)]
    [InlineData(500, FetchFailure.HttpStatus)]
    [InlineData(410, FetchFailure.Gone)]
    public async Task HttpErrorsAreFailuresWithTheirStatus(int status, FetchFailure category)
    {
        var url = _server.ServeStatus($"/status-{status}", status);

        var failed = Assert.IsType<FetchResult.Failed>(await Fetcher.FetchAsync(SourceLocation.ForUrl(url), Validators.None, CancellationToken.None));

        Assert.Equal(category, failed.Category);
        Assert.Equal(status, failed.StatusCode);
    }

    [Fact]
    public async Task ABodyOverTheLimitIsRefused()
    {
        await using var services = new ServiceCollection().AddSingleton(TimeProvider.System)
            .AddFeedsCore(":memory:", new FetchOptions { MaxBodyBytes = 1024 }).BuildServiceProvider();
        var url = _server.Serve("/big.xml", new byte[4096]);

        var failed = Assert.IsType<FetchResult.Failed>(await services.GetRequiredService<FeedFetcher>().FetchAsync(SourceLocation.ForUrl(url), Validators.None, CancellationToken.None));

        Assert.Equal(FetchFailure.TooLarge, failed.Category);
    }

    [Fact]
    public async Task AnUnchangedLocalFileIsNotModified()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("feed.rss"), TestFiles.SampleBytes("techdesk.rss"));
        var location = SourceLocation.ForFile(folder.File("feed.rss"));

        var first = Assert.IsType<FetchResult.Fetched>(await Fetcher.FetchAsync(location, Validators.None, CancellationToken.None));
        var second = await Fetcher.FetchAsync(location, first.Validators, CancellationToken.None);
        File.SetLastWriteTimeUtc(folder.File("feed.rss"), DateTime.UtcNow.AddMinutes(1));
        var third = await Fetcher.FetchAsync(location, first.Validators, CancellationToken.None);

        Assert.IsType<FetchResult.NotModified>(second);
        Assert.IsType<FetchResult.Fetched>(third);
    }

    [Fact]
    public async Task AMissingLocalFileIsAFailureThatNamesIt()
    {
        var failed = Assert.IsType<FetchResult.Failed>(await Fetcher.FetchAsync(SourceLocation.ForFile("/nonexistent/feed.rss"), Validators.None, CancellationToken.None));

        Assert.Equal(FetchFailure.FileMissing, failed.Category);
        Assert.Contains("/nonexistent/feed.rss", failed.Reason);
    }
}
