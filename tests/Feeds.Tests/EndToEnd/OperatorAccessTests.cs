using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Feeds.Tests.Support;

namespace Feeds.Tests.EndToEnd;

/// <summary>
/// The operator pages are private: through Kestrel on 127.0.0.1, from clients bound to other loopback addresses. The config
/// narrows the allowed networks to 127.0.0.1 (loopback as a whole is the default), names 127.0.0.3 as a trusted proxy, and
/// sets a token; 127.0.0.2 is a client of the world. SQLite only: who may read a page does not depend on the store.
/// </summary>
public sealed class OperatorAccessTests : IAsyncLifetime
{
    private const string Token = "test-operator-token-0123456789abcdef";
    private static readonly IPAddress Operator = IPAddress.Parse("127.0.0.1");
    private static readonly IPAddress Stranger = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress Proxy = IPAddress.Parse("127.0.0.3");

    private static readonly string[] OperatorPaths = ["status", "status?state=failing", "status/summary", "metrics"];
    private static readonly string[] ReaderPaths = ["", "sections/international", "sections/international/rss", "sections.opml", "healthz/live"];

    private LoopbackSourceServer _sources = null!;
    private FeedsTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _sources = await LoopbackSourceServer.StartAsync();
        _sources.Serve("/wire.rss", TestFiles.SampleBytes("world-wire.rss"));
        var started = DateTimeOffset.UtcNow;
        _host = await FeedsTestHost.StartAsync(
            new[] { new { id = "international", title = "International", description = "" } },
            new[] { new { id = "wire", url = new Uri(_sources.BaseUri, "wire.rss").AbsoluteUri, sections = new[] { "international" } } },
            operators: new { allowedNetworks = new[] { "127.0.0.1/32" }, trustedProxies = new[] { "127.0.0.3/32" }, token = Token });
        await _host.WaitForPollsAsync(1, started);
    }

    /// <summary>A client whose connections to the service leave from <paramref name="from"/>, as a machine at that address would.</summary>
    private HttpClient ClientFrom(IPAddress from) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(from, 0));
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
    })
    { BaseAddress = _host.Client.BaseAddress };

    private async Task<HttpStatusCode> StatusOfAsync(IPAddress from, string path, string? forwardedFor = null, string? token = null, bool json = false)
    {
        using var client = ClientFrom(from);
        using var response = await SendAsync(client, path, json, forwardedFor: forwardedFor, token: token);
        return response.StatusCode;
    }

    [Fact]
    public async Task AnAllowedAddressReadsTheOperatorPages()
    {
        foreach (var path in OperatorPaths)
            Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(Operator, path));
        Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(Operator, "status", json: true));
    }

    [Fact]
    public async Task AnotherAddressIsRefusedTheOperatorPagesAndKeepsTheReadersOnes()
    {
        foreach (var path in OperatorPaths)
            Assert.Equal(HttpStatusCode.Forbidden, await StatusOfAsync(Stranger, path));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOfAsync(Stranger, "status", json: true));
        foreach (var path in ReaderPaths)
            Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(Stranger, path));
    }

    [Fact]
    public async Task TheRefusalSaysWhyAndHowToGetIn()
    {
        using var client = ClientFrom(Stranger);
        using var response = await client.GetAsync("status");
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("127.0.0.2", problem.GetProperty("detail").GetString());
        Assert.Contains("operators.allowedNetworks", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task TheTokenOpensTheOperatorPagesFromAnyAddressAndAWrongOneDoesNot()
    {
        foreach (var path in OperatorPaths)
            Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(Stranger, path, token: Token));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOfAsync(Stranger, "status", token: Token[..^1] + "X"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOfAsync(Stranger, "status", token: Token + "X"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AKeptStatusPageIsNeverSentToARefusedRequestEvenOneThatShowsItsETag(bool json)
    {
        // An operator's request puts the page in the cache; its ETag is what a refused client would show to get it.
        using var operatorClient = ClientFrom(Operator);
        using var kept = await SendAsync(operatorClient, "status", json);
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        var etag = kept.Headers.ETag!;
        Assert.Equal((true, true, false), (kept.Headers.CacheControl!.Private, kept.Headers.CacheControl.NoCache, kept.Headers.CacheControl.Public));

        using var stranger = ClientFrom(Stranger);
        using var proxy = ClientFrom(Proxy);
        var refused = new List<HttpResponseMessage>
        {
            await SendAsync(stranger, "status", json, etag),
            await SendAsync(stranger, "status", json, etag, token: Token + "X"),
            await SendAsync(operatorClient, "status", json, etag, forwardedFor: "203.0.113.9"),
            await SendAsync(proxy, "status", json, etag, forwardedFor: "203.0.113.9"),
        };

        foreach (var response in refused)
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Null(response.Headers.ETag);
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("wire.rss", body);
            Assert.DoesNotContain("international", body);
            response.Dispose();
        }
        // The same page is the operator's whichever way they are let in: by the token from anywhere, through the trusted proxy.
        using var byToken = await SendAsync(stranger, "status", json, etag, token: Token);
        using var throughProxy = await SendAsync(proxy, "status", json, etag, forwardedFor: "127.0.0.1");
        Assert.Contains(byToken.StatusCode, new[] { HttpStatusCode.NotModified, HttpStatusCode.OK });
        Assert.Contains(throughProxy.StatusCode, new[] { HttpStatusCode.NotModified, HttpStatusCode.OK });
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string path, bool json, EntityTagHeaderValue? etag = null,
        string? forwardedFor = null, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (json)
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (etag is not null)
            request.Headers.IfNoneMatch.Add(etag);
        if (forwardedFor is not null)
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    [Fact]
    public async Task HealthGivesItsReasonsToOperatorsAndTheBareStatusToOthers()
    {
        using var stranger = ClientFrom(Stranger);
        using var operatorClient = ClientFrom(Operator);
        var bare = JsonDocument.Parse(await stranger.GetStringAsync("healthz")).RootElement;
        var detailed = JsonDocument.Parse(await operatorClient.GetStringAsync("healthz")).RootElement;

        Assert.Equal("Healthy", bare.GetProperty("status").GetString());
        Assert.False(bare.TryGetProperty("checks", out _));
        Assert.Equal("Healthy", detailed.GetProperty("checks").GetProperty("store").GetProperty("status").GetString());
    }

    [Fact]
    public async Task AForwardedForFromAnUntrustedPeerIsNotBelieved()
    {
        // A stranger claiming to forward for the operator's address stays a stranger.
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOfAsync(Stranger, "status", forwardedFor: "127.0.0.1"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOfAsync(Stranger, "metrics", forwardedFor: "127.0.0.1"));
        // An allowed peer that forwards for someone, as a reverse proxy not named as trusted would, is refused: the
        // client behind it is unknown (a proxy on this machine would otherwise make the world look like loopback).
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOfAsync(Operator, "status", forwardedFor: "203.0.113.9"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOfAsync(Operator, "status", forwardedFor: "127.0.0.1"));
    }

    [Fact]
    public async Task AForwardedForFromATrustedProxyIsBelieved()
    {
        // The proxy's own address is not allowed: what decides is the client it forwards for.
        Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(Proxy, "status", forwardedFor: "127.0.0.1"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOfAsync(Proxy, "status", forwardedFor: "203.0.113.9"));
        // A client's own X-Forwarded-For, passed on by the proxy before the address it saw: only the proxy's entry is believed.
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOfAsync(Proxy, "status", forwardedFor: "127.0.0.1, 203.0.113.9"));
        Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(Proxy, "sections/international"));
    }

    [Fact]
    public async Task AnEditOfTheAllowedNetworksAppliesWithoutARestart()
    {
        var config = JsonDocument.Parse(await File.ReadAllTextAsync(_host.ConfigPath)).RootElement;
        var edited = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(config.GetRawText())!;
        edited["operators"] = JsonSerializer.SerializeToElement(new { allowedNetworks = new[] { "127.0.0.0/30" }, trustedProxies = new[] { "127.0.0.3/32" } });
        await File.WriteAllTextAsync(_host.ConfigPath, JsonSerializer.Serialize(edited));

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await StatusOfAsync(Stranger, "status") != HttpStatusCode.OK && DateTime.UtcNow < deadline)
            await Task.Delay(100);

        Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(Stranger, "status"));
        // The token went with the edit.
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOfAsync(IPAddress.Parse("127.0.0.5"), "status", token: Token));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _sources.DisposeAsync();
    }
}
