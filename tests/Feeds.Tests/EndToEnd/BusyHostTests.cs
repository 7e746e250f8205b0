using System.Globalization;
using System.Text;
using Feeds.Core.Storage;
using Feeds.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace Feeds.Tests.EndToEnd;

/// <summary>
/// Many sources of one host, each moved the way publishers move (http to https, a new path): 308 → 301 → 302 → feed.
/// Before, every further hop queued behind the host's other sources and the wait counted against the fetch deadline,
/// so not one of 30 such sources ever stored an item. On SQLite; <see cref="PostgresBusyHostTests"/> runs the same on PostgreSQL.
/// </summary>
public class BusyHostTests : IAsyncLifetime
{
    protected virtual StoreKind Store => StoreKind.Sqlite;

    private const int SourceCount = 30;
    private const int ItemsPerFeed = 3;

    private readonly ConcurrencyGauge _inFlight = new();
    private LoopbackSourceServer _server = null!;

    public async Task InitializeAsync() => _server = await LoopbackSourceServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task ThirtyRedirectingSourcesOnOneHostAllLandTheirItemsOneRequestAtATime()
    {
        for (var i = 0; i < SourceCount; i++)
        {
            ServeRedirect($"/s{i}/old", 308, $"/s{i}/moved");
            ServeRedirect($"/s{i}/moved", 301, $"/s{i}/current");
            ServeRedirect($"/s{i}/current", 302, $"/s{i}/feed.xml");
            ServeFeed($"/s{i}/feed.xml", Feed(i));
        }
        var sources = Enumerable.Range(0, SourceCount)
            .Select(i => new { id = $"s{i}", url = new Uri(_server.BaseUri, $"s{i}/old").AbsoluteUri, sections = new[] { "all" } })
            .ToArray();
        var started = DateTimeOffset.UtcNow;

        // The default politeness (one request at a time to a host, 8 overall) at a tenth of the default spacing and
        // deadline (1 s and 30 s), to keep the test short: 120 requests take 12 s of spacing alone, and a source whose
        // waits for its hops' turns counted against its deadline would run out of it many times over.
        await using var host = await FeedsTestHost.StartAsync(new[] { new { id = "all", title = "All", description = "" } }, sources,
            fetching: new { allowPrivateNetworks = new[] { "127.0.0.1/32" }, minHostSpacing = "100ms", timeout = "3s" }, store: Store);
        await host.WaitForPollsAsync(SourceCount, started, TimeSpan.FromSeconds(90));

        var states = await host.Services.GetRequiredService<IStatusStore>().GetSourceStatesAsync(CancellationToken.None);
        Assert.All(states, state => Assert.True(state.LastOutcome == PollOutcome.Updated, $"{state.SourceId}: {state.LastErrorCategory} {state.LastError}"));
        var items = await host.Services.GetRequiredService<IPublishingStore>().GetItemsAsync(sources.Select(s => s.id).ToList(), ItemCursor.Newest, 1000, CancellationToken.None);
        Assert.Equal(SourceCount * ItemsPerFeed, items.Count);
        Assert.Equal(1, _inFlight.Most);
        // Each chain was followed once, in one go: no second poll at start-up, no hop asked twice.
        Assert.All(Enumerable.Range(0, SourceCount), i =>
        {
            string[] chain = [$"/s{i}/old", $"/s{i}/moved", $"/s{i}/current", $"/s{i}/feed.xml"];
            var times = chain.Select(path => _server.RequestTimes(path).Single()).ToList();
            Assert.Equal(times.Order(), times);
        });
    }

    private void ServeRedirect(string path, int status, string location) => _server.Handle(path, context => CountedAsync(() =>
    {
        context.Response.StatusCode = status;
        context.Response.Headers.Location = location;
        return Task.CompletedTask;
    }));

    private void ServeFeed(string path, byte[] body) => _server.Handle(path, context => CountedAsync(async () =>
    {
        context.Response.ContentType = "application/rss+xml";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }));

    /// <summary>Runs a handler while counting the requests to this host being answered at the same moment, whatever their path.</summary>
    private Task CountedAsync(Func<Task> handler) => _inFlight.RunAsync(handler);

    private static byte[] Feed(int source)
    {
        var now = DateTimeOffset.UtcNow;
        var items = string.Concat(Enumerable.Range(0, ItemsPerFeed).Select(i =>
            $"<item><title>Source {source} story {i}</title><link>https://news.example/{source}/{i}</link>"
            + $"<guid>https://news.example/{source}/{i}</guid><pubDate>{now.AddHours(-i).ToString("R", CultureInfo.InvariantCulture)}</pubDate></item>"));
        return Encoding.UTF8.GetBytes($"""
            <?xml version="1.0" encoding="utf-8"?>
            <rss version="2.0"><channel><title>Source {source}</title><link>https://news.example/{source}/</link>
            <description>Moved three times</description>{items}</channel></rss>
            """);
    }
}

/// <summary>The same test with the service storing in PostgreSQL.</summary>
public sealed class PostgresBusyHostTests : BusyHostTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}
