using System.Net;

namespace Feeds.Core.Sources;

/// <summary>
/// Who may read the operator pages (<c>/status</c>, <c>/metrics</c>, the detailed <c>/healthz</c>): the config's
/// <c>operators</c> object. Private by default: loopback only, no token, no proxy believed.
/// </summary>
public sealed record OperatorSettings
{
    /// <summary>The shortest token taken: long enough that guessing it over HTTP is hopeless (128 bits of hex, 22 of base64).</summary>
    public const int MinTokenLength = 22;

    /// <summary>This machine: the addresses allowed when the config lists none.</summary>
    public static readonly IReadOnlyList<IPNetwork> Loopback = [IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("::1/128")];

    /// <summary>Clients with an address in one of these may read the pages: <see cref="Loopback"/> unless the config lists its own (which replace it).</summary>
    public IReadOnlyList<IPNetwork> AllowedNetworks { get; init; } = Loopback;

    /// <summary>A bearer token that opens the pages from any address (<c>Authorization: Bearer ...</c>); none by default.</summary>
    public string? Token { get; init; }

    /// <summary>
    /// The reverse proxies whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed; none by default.
    /// Read once, at start.
    /// </summary>
    public IReadOnlyList<IPNetwork> TrustedProxies { get; init; } = [];
}
