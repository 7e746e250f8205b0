using System.Collections.Concurrent;
using System.IO.Compression;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Feeds.Tests.Support;

/// <summary>
/// A real HTTP source server on 127.0.0.1 for tests, well-behaved or hostile per path: feeds with an ETag and
/// Last-Modified (304 to conditional requests), compressed bodies and gzip bombs, bare statuses with
/// Retry-After, redirects and loops, slow drips and hangs. Counts full and conditional requests per path
/// and keeps the time of each.
/// </summary>
public sealed class LoopbackSourceServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, RequestDelegate> _routes = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Request>> _requests = new();
    private readonly ConcurrentDictionary<string, int> _inFlight = new();
    private readonly ConcurrentDictionary<string, int> _mostInFlight = new();
    private readonly ConcurrentQueue<(string Path, string Body)> _posts = new();

    private LoopbackSourceServer(WebApplication app) => _app = app;

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>The same server under the name <c>localhost</c>: another host, as far as per-host politeness goes.</summary>
    public Uri LocalhostUri => new UriBuilder(BaseUri) { Host = "localhost" }.Uri;

    public static async Task<LoopbackSourceServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        // Hung requests end when the client gives up; shutdown need not wait long for stragglers.
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(2));
        var server = new LoopbackSourceServer(builder.Build());
        server._app.Run(server.HandleAsync);
        await server._app.StartAsync();
        var address = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUri = new Uri(address + "/");
        return server;
    }

    /// <summary>Serves <paramref name="body"/> at <paramref name="path"/> from now on, with a new ETag; 304 to a matching If-None-Match.</summary>
    public Uri Serve(string path, byte[] body, string contentType = "application/xml", string? cacheControl = null, TimeSpan delay = default)
    {
        var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(body).AsSpan(0, 8)) + "\"";
        var lastModified = DateTimeOffset.UtcNow.ToString("R");
        return Route(path, async context =>
        {
            await Task.Delay(delay, context.RequestAborted);
            context.Response.Headers.ETag = etag;
            context.Response.Headers.LastModified = lastModified;
            if (cacheControl is not null)
                context.Response.Headers.CacheControl = cacheControl;
            if (context.Request.Headers.IfNoneMatch.ToString() == etag)
            {
                context.Response.StatusCode = 304;
                return;
            }
            context.Response.ContentType = contentType;
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        });
    }

    /// <summary>Plays a WebSub hub at <paramref name="path"/>: records each POSTed form body and answers 204.</summary>
    public Uri ServeHub(string path) => Route(path, async context =>
    {
        using var reader = new StreamReader(context.Request.Body);
        _posts.Enqueue((path, await reader.ReadToEndAsync(context.RequestAborted)));
        context.Response.StatusCode = 204;
    });

    /// <summary>Form bodies POSTed to hub paths, oldest first.</summary>
    public IReadOnlyList<(string Path, string Body)> Posts => _posts.ToList();

    /// <summary>Serves <paramref name="body"/> compressed with <paramref name="encoding"/> (gzip, deflate or br) and says so in Content-Encoding.</summary>
    public Uri ServeCompressed(string path, byte[] body, string encoding)
    {
        var compressed = Compress(body, encoding);
        return Route(path, async context =>
        {
            context.Response.ContentType = "application/xml";
            context.Response.Headers.ContentEncoding = encoding;
            await context.Response.Body.WriteAsync(compressed, context.RequestAborted);
        });
    }

    /// <summary>A gzip bomb: a small body that inflates to <paramref name="inflatedBytes"/> of zeros.</summary>
    public Uri ServeGzipBomb(string path, long inflatedBytes)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1024 * 1024];
            for (long written = 0; written < inflatedBytes; written += zeros.Length)
                gzip.Write(zeros, 0, (int)Math.Min(zeros.Length, inflatedBytes - written));
        }
        var bomb = buffer.ToArray();
        return Route(path, async context =>
        {
            context.Response.ContentType = "application/xml";
            context.Response.Headers.ContentEncoding = "gzip";
            await context.Response.Body.WriteAsync(bomb, context.RequestAborted);
        });
    }

    /// <summary>Answers <paramref name="path"/> with a bare status and, if given, a Retry-After (seconds or an HTTP-date).</summary>
    public Uri ServeStatus(string path, int status, string? retryAfter = null) => Route(path, context =>
    {
        context.Response.StatusCode = status;
        if (retryAfter is not null)
            context.Response.Headers.RetryAfter = retryAfter;
        return Task.CompletedTask;
    });

    /// <summary>Redirects <paramref name="path"/> to <paramref name="location"/> (absolute, or relative to this server).</summary>
    public Uri ServeRedirect(string path, int status, string location) => Route(path, context =>
    {
        context.Response.StatusCode = status;
        context.Response.Headers.Location = location;
        return Task.CompletedTask;
    });

    /// <summary>Sends headers and then one byte every <paramref name="every"/>, forever: a slow drip.</summary>
    public Uri ServeDrip(string path, TimeSpan every) => Route(path, async context =>
    {
        context.Response.ContentType = "application/xml";
        await context.Response.StartAsync(context.RequestAborted);
        while (!context.RequestAborted.IsCancellationRequested)
        {
            await context.Response.Body.WriteAsync("<"u8.ToArray(), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(every, context.RequestAborted);
        }
    });

    /// <summary>Accepts the request and never answers.</summary>
    public Uri ServeHang(string path) => Route(path, context => Task.Delay(Timeout.Infinite, context.RequestAborted));

    /// <summary>Answers <paramref name="path"/> with <paramref name="handler"/>, for sources whose answers change as a test goes.</summary>
    public Uri Handle(string path, RequestDelegate handler) => Route(path, handler);

    public int RequestCount(string path) => Requests(path).Count;

    public int ConditionalRequestCount(string path) => Requests(path).Count(r => r.Conditional);

    public int FullRequestCount(string path) => Requests(path).Count(r => !r.Conditional);

    /// <summary>The most requests to <paramref name="path"/> that were being answered at the same moment.</summary>
    public int MostConcurrentRequests(string path) => _mostInFlight.GetValueOrDefault(path);

    /// <summary>When each request to <paramref name="path"/> arrived, in order.</summary>
    public IReadOnlyList<DateTimeOffset> RequestTimes(string path) => Requests(path).Select(r => r.At).ToList();

    private IReadOnlyCollection<Request> Requests(string path) => _requests.TryGetValue(path, out var requests) ? requests : [];

    private Uri Route(string path, RequestDelegate handler)
    {
        _routes[path] = handler;
        return new Uri(BaseUri, path.TrimStart('/'));
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        var conditional = context.Request.Headers.IfNoneMatch.Count > 0 || context.Request.Headers.IfModifiedSince.Count > 0;
        _requests.GetOrAdd(path, _ => new ConcurrentQueue<Request>()).Enqueue(new Request(DateTimeOffset.UtcNow, conditional));
        if (!_routes.TryGetValue(path, out var handler))
        {
            context.Response.StatusCode = 404;
            return;
        }
        var inFlight = _inFlight.AddOrUpdate(path, 1, (_, n) => n + 1);
        _mostInFlight.AddOrUpdate(path, inFlight, (_, most) => Math.Max(most, inFlight));
        try
        {
            await handler(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client gave up on a drip or a hang, as it should.
        }
        finally
        {
            _inFlight.AddOrUpdate(path, 0, (_, n) => n - 1);
        }
    }

    private static byte[] Compress(byte[] body, string encoding)
    {
        using var buffer = new MemoryStream();
        using (Stream compressor = encoding switch
        {
            "gzip" => new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true),
            // HTTP "deflate" is the zlib format (RFC 9110 §8.4.1.2).
            "deflate" => new ZLibStream(buffer, CompressionLevel.Fastest, leaveOpen: true),
            "br" => new BrotliStream(buffer, CompressionLevel.Fastest, leaveOpen: true),
            _ => throw new ArgumentException($"unknown content coding {encoding}", nameof(encoding)),
        })
        {
            compressor.Write(body);
        }
        return buffer.ToArray();
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private sealed record Request(DateTimeOffset At, bool Conditional);
}
