using System.Text;
using Feeds.Core.Refreshing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Feeds.Tests.Support;

namespace Feeds.Tests.EndToEnd;

/// <summary>
/// Re-polls of a source that sends no validators, so every poll is a full 200 (issue 17, item 5): the same bytes again
/// are neither parsed nor normalized, and of a changed body only the changed entries are normalized. On SQLite;
/// <see cref="PostgresUnchangedRepollTests"/> runs the same on PostgreSQL.
/// </summary>
public class UnchangedRepollTests : IAsyncLifetime
{
    protected virtual StoreKind Store => StoreKind.Sqlite;

    private const string FeedPath = "/no-validators.rss";
    private LoopbackSourceServer _sources = null!;
    private FeedsTestHost _host = null!;
    private volatile string _secondTitle = "Second report";

    public async Task InitializeAsync()
    {
        _sources = await LoopbackSourceServer.StartAsync();
        // No ETag, no Last-Modified: nothing but the bytes can tell the service the feed is unchanged.
        var url = _sources.Handle(FeedPath, async context =>
        {
            context.Response.ContentType = "application/rss+xml";
            await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(Feed(_secondTitle)));
        });
        var started = DateTimeOffset.UtcNow;
        _host = await FeedsTestHost.StartAsync(
            new[] { new { id = "news", title = "News" } },
            new[] { new { id = "plain", url = url.AbsoluteUri, sections = new[] { "news" } } },
            store: Store);
        await _host.WaitForPollsAsync(1, started);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _sources.DisposeAsync();
    }

    private static string Feed(string secondTitle) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <rss version="2.0"><channel><title>Plain</title><link>https://plain.example.org/</link>
        <item><title>First report</title><link>https://plain.example.org/1</link><guid>p-1</guid>
          <pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate><description>&lt;p&gt;One &lt;b&gt;bold&lt;/b&gt; claim.&lt;/p&gt;</description></item>
        <item><title>{secondTitle}</title><link>https://plain.example.org/2</link><guid>p-2</guid>
          <pubDate>Mon, 02 Mar 2026 11:00:00 GMT</pubDate><description>&lt;p&gt;Two &lt;i&gt;careful&lt;/i&gt; words.&lt;/p&gt;</description></item>
        <item><title>Third report</title><link>https://plain.example.org/3</link><guid>p-3</guid>
          <pubDate>Mon, 02 Mar 2026 12:00:00 GMT</pubDate><description>&lt;p&gt;Three.&lt;/p&gt;</description></item>
        </channel></rss>
        """;

    private Task<RefreshResult> RefreshAsync()
    {
        var refresher = _host.Services.GetRequiredService<SourceRefresher>();
        var source = _host.Services.GetRequiredService<FeedsConfigMonitor>().Current.Sources.Single();
        return refresher.RefreshAsync(source, PollReason.Manual, CancellationToken.None);
    }

    [Fact]
    public async Task TheSameBytesAgainAreNeitherParsedNorNormalized()
    {
        var feedBefore = await _host.Client.GetByteArrayAsync("sections/news/rss");
        using var measured = IngestMeasurements.Listen();

        var result = await RefreshAsync();

        Assert.IsType<RefreshResult.NotModified>(result);
        Assert.Equal(1, measured.UnchangedBodies);
        Assert.Equal(0, measured.Normalized);
        Assert.Equal(0, measured.Unchanged); // not even identified: the body was not parsed
        Assert.Equal(2, _sources.FullRequestCount(FeedPath));
        var state = await _host.Services.GetRequiredService<IPollStore>().GetSourceStateAsync("plain", CancellationToken.None);
        Assert.Equal(200, state!.LastHttpStatus);
        Assert.Equal(PollOutcome.NotModified, state.LastOutcome);
        Assert.Equal(feedBefore, await _host.Client.GetByteArrayAsync("sections/news/rss"));
    }

    [Fact]
    public async Task OfAChangedBodyOnlyTheChangedEntryIsNormalized()
    {
        _secondTitle = "Second report, corrected";
        using var measured = IngestMeasurements.Listen();

        var result = await RefreshAsync();

        var updated = Assert.IsType<RefreshResult.Updated>(result);
        Assert.Equal((3, 0, 1), (updated.ItemsInFeed, updated.Added, updated.Changed));
        Assert.Equal(0, measured.UnchangedBodies);
        Assert.Equal(1, measured.Normalized);
        Assert.Equal(2, measured.Unchanged);
        Assert.Contains("Second report, corrected", await _host.Client.GetStringAsync("sections/news/rss"));

        // And that body, sent again, is skipped in its turn.
        Assert.IsType<RefreshResult.NotModified>(await RefreshAsync());
        Assert.Equal(1, measured.UnchangedBodies);
        Assert.Equal(1, measured.Normalized);
    }
}

/// <summary>The same tests with the service storing in PostgreSQL.</summary>
public sealed class PostgresUnchangedRepollTests : UnchangedRepollTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}
