using System.Net;
using System.Net.Sockets;
using Feeds.Core.Sources;

namespace Feeds.Core.Fetching;

/// <summary>
/// Keeps the fetcher from being turned against the network it runs in (SSRF): a source, or a redirect,
/// that leads to loopback, a private range, link-local (cloud metadata at 169.254.169.254), CGNAT,
/// multicast or the unspecified address is refused unless the operator allowed that range. The check runs
/// on the address actually connected to, after DNS and on every hop, so aliases (<c>127.1</c>,
/// <c>2130706433</c>, <c>0x7f000001</c>, <c>[::ffff:127.0.0.1]</c>) and DNS names that resolve inward are
/// caught the same way. The ranges opened are the ones in force when the connection is made, so an edit of
/// <c>fetching.allowPrivateNetworks</c> holds for the next connection, and, through <see cref="RecheckAsync"/>, for the
/// next request on a pooled one.
/// </summary>
public sealed class NetworkGuard(FetchingSettings settings, TimeProvider clock)
{
    // Special-purpose ranges that are not the public internet (RFC 6890 and the IANA registries).
    private static readonly IPNetwork[] NonPublic =
    [
        IPNetwork.Parse("0.0.0.0/8"),        // "this network"; 0.0.0.0 reaches the local host on Linux
        IPNetwork.Parse("10.0.0.0/8"),       // private (RFC 1918)
        IPNetwork.Parse("100.64.0.0/10"),    // carrier-grade NAT (RFC 6598)
        IPNetwork.Parse("127.0.0.0/8"),      // loopback
        IPNetwork.Parse("169.254.0.0/16"),   // link-local, cloud metadata services (RFC 3927)
        IPNetwork.Parse("172.16.0.0/12"),    // private (RFC 1918)
        IPNetwork.Parse("192.0.0.0/24"),     // IETF protocol assignments (RFC 6890)
        IPNetwork.Parse("192.0.2.0/24"),     // documentation (RFC 5737)
        IPNetwork.Parse("192.168.0.0/16"),   // private (RFC 1918)
        IPNetwork.Parse("198.18.0.0/15"),    // benchmarking (RFC 2544)
        IPNetwork.Parse("198.51.100.0/24"),  // documentation
        IPNetwork.Parse("203.0.113.0/24"),   // documentation
        IPNetwork.Parse("224.0.0.0/4"),      // multicast
        IPNetwork.Parse("240.0.0.0/4"),      // reserved, and 255.255.255.255 broadcast
        IPNetwork.Parse("::/128"),           // unspecified
        IPNetwork.Parse("::1/128"),          // loopback
        IPNetwork.Parse("100::/64"),         // discard (RFC 6666)
        IPNetwork.Parse("2001:db8::/32"),    // documentation (RFC 3849)
        IPNetwork.Parse("fc00::/7"),         // unique local (RFC 4193)
        IPNetwork.Parse("fe80::/10"),        // link-local
        IPNetwork.Parse("fec0::/10"),        // site-local, deprecated (RFC 3879)
        IPNetwork.Parse("ff00::/8"),         // multicast
    ];

    // IPv6 forms that carry an IPv4 address; the IPv4 address inside is what gets reached.
    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");    // RFC 6052
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");   // RFC 3056
    private static readonly IPNetwork Ipv4Compatible = IPNetwork.Parse("::/96");  // deprecated (RFC 4291 §2.5.5.1)

    /// <summary>How long a connection stays pooled: one made under an allowlist since narrowed is gone after this.</summary>
    public static readonly TimeSpan PooledConnectionLifetime = TimeSpan.FromMinutes(5);

    private readonly Lock _allowlistLock = new();
    private IReadOnlyList<IPNetwork> _allowlistSeen = settings.Fetch.AllowedPrivateNetworks;
    private DateTimeOffset _allowlistChangedAt = DateTimeOffset.MinValue;

    /// <summary>
    /// Before a request: null, or why <paramref name="host"/> is refused now. Addresses are checked as a connection is
    /// made, and a pooled connection is reused without one; so for <see cref="PooledConnectionLifetime"/> after the
    /// allowlist changed, while connections made under the old one may still be pooled, the host is resolved and
    /// checked again before each request. Otherwise this costs nothing.
    /// </summary>
    public async ValueTask<BlockedAddressException?> RecheckAsync(string host, CancellationToken cancellationToken)
    {
        if (!AllowlistChangedRecently())
            return null;
        IPAddress[] addresses;
        try
        {
            addresses = await ResolveAsync(host, cancellationToken);
        }
        catch (SocketException)
        {
            return null; // the request fails on its own, with the resolver's reason
        }
        return addresses.Any(IsAllowed) ? null : new BlockedAddressException(host, addresses);
    }

    /// <summary>Whether the allowlist in force differs from the one seen before, within the last <see cref="PooledConnectionLifetime"/>.</summary>
    private bool AllowlistChangedRecently()
    {
        var allowed = settings.Fetch.AllowedPrivateNetworks;
        var now = clock.GetUtcNow();
        lock (_allowlistLock)
        {
            if (!allowed.SequenceEqual(_allowlistSeen))
                (_allowlistSeen, _allowlistChangedAt) = (allowed, now);
            return now - _allowlistChangedAt < PooledConnectionLifetime;
        }
    }

    private static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);

    /// <summary>True when a connection to <paramref name="address"/> may be made.</summary>
    public bool IsAllowed(IPAddress address)
    {
        var reached = Canonical(address);
        return !IsNonPublic(reached) || settings.Fetch.AllowedPrivateNetworks.Any(network => network.Contains(reached));
    }

    /// <summary>
    /// The <see cref="SocketsHttpHandler.ConnectCallback"/>: resolves the host, drops every address the guard
    /// refuses and connects to the first that remains. With none left it throws before any socket is opened. It gives
    /// up after <see cref="FetchOptions.ConnectTimeout"/> as now configured (the handler's own is fixed when the handler
    /// is made, and handlers live for minutes), with a <see cref="TimeoutException"/> the fetcher reports as such.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var connectTimeout = settings.Fetch.ConnectTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(connectTimeout);
        try
        {
            return await ConnectPermittedAsync(context.DnsEndPoint, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no connection within {connectTimeout.TotalSeconds:0} s");
        }
    }

    private async Task<Stream> ConnectPermittedAsync(DnsEndPoint endPoint, CancellationToken cancellationToken)
    {
        var host = endPoint.Host;
        var addresses = await ResolveAsync(host, cancellationToken);
        var permitted = addresses.Where(IsAllowed).ToList();
        if (permitted.Count == 0)
            throw new BlockedAddressException(host, addresses);

        Exception? last = null;
        foreach (var address in permitted)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }

    private static bool IsNonPublic(IPAddress address) => NonPublic.Any(network => network.Contains(address));

    /// <summary>The address a packet really goes to: IPv4 inside IPv4-mapped, NAT64, 6to4 and IPv4-compatible forms.</summary>
    private static IPAddress Canonical(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return address;
        if (address.IsIPv4MappedToIPv6)
            return address.MapToIPv4();
        var bytes = address.GetAddressBytes();
        // :: and ::1 fall in the IPv4-compatible range too and come out as 0.0.0.x, refused like themselves.
        if (Nat64.Contains(address) || Ipv4Compatible.Contains(address))
            return new IPAddress(bytes.AsSpan(12, 4));
        if (SixToFour.Contains(address))
            return new IPAddress(bytes.AsSpan(2, 4));
        return address;
    }
}

/// <summary>Every address of a host is one the <see cref="NetworkGuard"/> refuses; no connection was attempted.</summary>
public sealed class BlockedAddressException(string host, IReadOnlyList<IPAddress> addresses)
    : IOException((IPAddress.TryParse(host, out _) ? $"{host} is" : $"{host} resolves to {string.Join(", ", addresses)},")
        + " a non-public address; refused without connecting (allow it with fetching.allowPrivateNetworks)");
