using System.Net;
using Feeds.Core.Sources;

namespace Feeds.Tests.Support;

/// <summary>Fetch options for tests that talk to the <see cref="LoopbackSourceServer"/>.</summary>
public static class TestFetching
{
    /// <summary>127.0.0.1 opened (the guard refuses loopback by default), no host spacing, short deadlines.</summary>
    public static FetchOptions Loopback { get; } = new()
    {
        AllowedPrivateNetworks = [IPNetwork.Parse("127.0.0.1/32")],
        MinHostSpacing = TimeSpan.Zero,
        Timeout = TimeSpan.FromSeconds(5),
    };
}
