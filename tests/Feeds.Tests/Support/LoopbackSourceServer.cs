using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Feeds.Tests.Support;

/// <summary>
/// A real HTTP source server on 127.0.0.1 for tests: serves feeds set by the test with an ETag and
/// Last-Modified, answers conditional requests with 304, and counts full and conditional requests per path.
/// </summary>
public sealed class LoopbackSourceServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Response> _responses = new();
    private readonly ConcurrentDictionary<string, int> _requests = new();
    private readonly ConcurrentDictionary<string, int> _conditionalRequests = new();
    private readonly ConcurrentQueue<(string Path, string Body)> _posts = new();

    private LoopbackSourceServer(WebApplication app) => _app = app;

    public Uri BaseUri { get; private set; } = null!;

    public static async Task<LoopbackSourceServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var server = new LoopbackSourceServer(builder.Build());
        server._app.Run(server.HandleAsync);
        await server._app.StartAsync();
        var address = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUri = new Uri(address + "/");
        return server;
    }

    /// <summary>Serves <paramref name="body"/> at <paramref name="path"/> from now on, with a new ETag.</summary>
    public Uri Serve(string path, byte[] body, string contentType = "application/xml")
    {
        var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(body).AsSpan(0, 8)) + "\"";
        _responses[path] = new Response(200, body, contentType, etag, DateTimeOffset.UtcNow, null);
        return new Uri(BaseUri, path.TrimStart('/'));
    }

    /// <summary>Answers <paramref name="path"/> with a bare status (and an optional Retry-After in seconds).</summary>
    public Uri ServeStatus(string path, int status, int? retryAfterSeconds = null)
    {
        _responses[path] = new Response(status, [], "text/plain", null, null, retryAfterSeconds);
        return new Uri(BaseUri, path.TrimStart('/'));
    }

    public int RequestCount(string path) => _requests.GetValueOrDefault(path);

    public int ConditionalRequestCount(string path) => _conditionalRequests.GetValueOrDefault(path);

    /// <summary>Form bodies POSTed to the server (it plays a WebSub hub too), oldest first.</summary>
    public IReadOnlyList<(string Path, string Body)> Posts => _posts.ToList();

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        _requests.AddOrUpdate(path, 1, (_, n) => n + 1);
        if (HttpMethods.IsPost(context.Request.Method))
        {
            using var reader = new StreamReader(context.Request.Body);
            _posts.Enqueue((path, await reader.ReadToEndAsync()));
            context.Response.StatusCode = 204;
            return;
        }
        if (!_responses.TryGetValue(path, out var response))
        {
            context.Response.StatusCode = 404;
            return;
        }
        var ifNoneMatch = context.Request.Headers.IfNoneMatch.ToString();
        if (ifNoneMatch.Length > 0 || context.Request.Headers.IfModifiedSince.Count > 0)
            _conditionalRequests.AddOrUpdate(path, 1, (_, n) => n + 1);
        context.Response.StatusCode = response.Status;
        if (response.RetryAfterSeconds is { } retryAfter)
            context.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (response.ETag is null)
            return;
        context.Response.Headers.ETag = response.ETag;
        context.Response.Headers.LastModified = response.LastModified!.Value.ToString("R");
        if (ifNoneMatch == response.ETag)
        {
            context.Response.StatusCode = 304;
            return;
        }
        context.Response.ContentType = response.ContentType;
        await context.Response.Body.WriteAsync(response.Body);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private sealed record Response(int Status, byte[] Body, string ContentType, string? ETag, DateTimeOffset? LastModified, int? RetryAfterSeconds);
}
