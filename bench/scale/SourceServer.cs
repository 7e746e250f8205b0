using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace Feeds.Bench.Scale;

/// <summary>
/// The sources of the scale benchmark: <c>/f/N.xml</c> for N from 0 to <see cref="Layout.Sources"/> - 1, source N on
/// loopback host <see cref="Layout.HostOf"/>(N), each a window of its newest items along its <see cref="SourceTimeline"/>,
/// with an ETag and Last-Modified naming its newest item so that an unchanged re-poll is a 304. One extra source,
/// <c>/probe.xml</c>, never changes and logs when it is asked, for the due-time probe. <c>GET /_stats</c> on any host
/// says how many sources were fetched at least once, when the last of them was first fetched, and the probe's times;
/// <c>GET /_requests</c> gives each source's request times (for the cluster benchmark's double polls and failover).
/// Run as its own process so its CPU and memory are never counted as the service's.
/// </summary>
internal sealed class SourceServer(Layout layout, DateTimeOffset started)
{
    private readonly SourceTimeline[] _timelines = Enumerable.Range(0, layout.Sources).Select(n => new SourceTimeline(n, started, layout.Items, layout.Speed)).ToArray();
    private readonly int[] _fetched = new int[layout.Sources];
    private readonly List<long>[] _requestTimes = Enumerable.Range(0, layout.Sources).Select(_ => new List<long>(1)).ToArray();
    private readonly ConcurrentQueue<long> _probeRequests = new();
    [ThreadStatic]
    private static StringBuilder? t_text;

    private int _fetchedCount;
    private long _requests;
    private long _notModified;
    private long _firstRequestAt;
    private long _allFetchedAt;

    public static async Task<int> RunAsync(Layout layout)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(Enumerable.Range(0, layout.Hosts).Select(h => $"http://{Layout.Address(h)}:{layout.Port}").ToArray());
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new SourceServer(layout, DateTimeOffset.UtcNow);
        app.MapGet("/f/{file}", server.SourceAsync);
        app.MapGet("/probe.xml", server.Probe);
        app.MapGet("/_stats", server.Stats);
        app.MapGet("/_requests", server.RequestTimes);
        await app.StartAsync();
        // The driver waits for this line.
        Console.WriteLine($"serving {layout.Sources} sources of {layout.Items} items on {layout.Hosts} loopback hosts, port {layout.Port}");
        await app.WaitForShutdownAsync();
        return 0;
    }

    private async Task SourceAsync(string file, HttpContext context)
    {
        if (!file.EndsWith(".xml", StringComparison.Ordinal) || !int.TryParse(file.AsSpan(0, file.Length - 4), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n >= _timelines.Length)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        var now = DateTimeOffset.UtcNow;
        Count(n, now);
        var timeline = _timelines[n];
        var newest = timeline.NewestAt(now);
        if (Unchanged(context.Request, $"\"{n}-{newest}\"", timeline.PublishedAt(newest), context.Response))
        {
            Interlocked.Increment(ref _notModified);
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        // A feed is ~100 KB: rendered into this thread's builder and a pooled buffer, not into fresh large objects each
        // time, whose collection would cost this process more CPU than writing them.
        var text = t_text ??= new StringBuilder(256 * 1024);
        text.Clear();
        NewsFeed.Write(text, n, timeline, Math.Max(0, newest - layout.Items + 1), newest);
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            var length = 0;
            var encoder = Encoding.UTF8.GetEncoder();
            foreach (var chunk in text.GetChunks())
                length += encoder.GetBytes(chunk.Span, buffer.AsSpan(length), flush: false);
            length += encoder.GetBytes([], buffer.AsSpan(length), flush: true);
            context.Response.ContentType = NewsFeed.IsAtom(n) ? "application/atom+xml; charset=utf-8" : "application/rss+xml; charset=utf-8";
            context.Response.ContentLength = length;
            await context.Response.Body.WriteAsync(buffer.AsMemory(0, length), context.RequestAborted);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A feed of one item that never changes: with fewer than two dated items its source keeps its configured schedule.</summary>
    private IResult Probe(HttpContext context)
    {
        var now = DateTimeOffset.UtcNow;
        // Counted with the others: every request is one poll the service must save before the driver calls it done.
        Interlocked.Increment(ref _requests);
        _probeRequests.Enqueue(now.ToUnixTimeMilliseconds());
        while (_probeRequests.Count > 100)
            _probeRequests.TryDequeue(out _);
        var published = started - TimeSpan.FromHours(1);
        if (Unchanged(context.Request, "\"probe-1\"", published, context.Response))
            return Results.StatusCode((int)HttpStatusCode.NotModified);
        return Results.Text($"""
            <?xml version="1.0" encoding="utf-8"?>
            <rss version="2.0"><channel><title>Probe</title><link>https://probe.example.net/</link><description>Asked on its schedule</description>
            <item><title>The probe's only item</title><link>https://probe.example.net/1</link><guid>https://probe.example.net/1</guid>
            <pubDate>{published.ToString("R", CultureInfo.InvariantCulture)}</pubDate></item></channel></rss>
            """, "application/rss+xml; charset=utf-8");
    }

    /// <summary>Sets the validators and says whether the request's conditions match them (If-None-Match first, RFC 9110 §13.2.2).</summary>
    private static bool Unchanged(HttpRequest request, string etag, DateTimeOffset lastModified, HttpResponse response)
    {
        response.Headers.ETag = etag;
        response.Headers.LastModified = lastModified.ToString("R", CultureInfo.InvariantCulture);
        if (request.Headers.IfNoneMatch.Count > 0)
            return request.Headers.IfNoneMatch.ToString().Split(',').Any(tag => tag.Trim() == etag);
        // HTTP dates have whole seconds.
        return HeaderUtilities.TryParseDate(request.Headers.IfModifiedSince.ToString(), out var since)
            && since >= lastModified.AddTicks(-(lastModified.Ticks % TimeSpan.TicksPerSecond));
    }

    private void Count(int n, DateTimeOffset now)
    {
        var at = now.ToUnixTimeMilliseconds();
        Interlocked.CompareExchange(ref _firstRequestAt, at, 0);
        Interlocked.Increment(ref _requests);
        lock (_requestTimes[n])
            _requestTimes[n].Add(at);
        if (Interlocked.Exchange(ref _fetched[n], 1) == 0 && Interlocked.Increment(ref _fetchedCount) == _fetched.Length)
            Interlocked.Exchange(ref _allFetchedAt, at);
    }

    private IResult Stats()
    {
        return Results.Json(new
        {
            Sources = _fetched.Length,
            Fetched = Volatile.Read(ref _fetchedCount),
            Requests = Interlocked.Read(ref _requests),
            NotModified = Interlocked.Read(ref _notModified),
            FirstRequestAt = NullIfZero(Interlocked.Read(ref _firstRequestAt)),
            AllFetchedAt = NullIfZero(Interlocked.Read(ref _allFetchedAt)),
            ProbeRequests = _probeRequests.ToArray(),
        }, JsonSerializerOptions.Web);
    }

    /// <summary>Each source's request times (Unix milliseconds), source N at index N.</summary>
    private IResult RequestTimes() =>
        Results.Json(_requestTimes.Select(times => { lock (times) return times.ToArray(); }).ToArray());

    private static long? NullIfZero(long value) => value == 0 ? null : value;
}
