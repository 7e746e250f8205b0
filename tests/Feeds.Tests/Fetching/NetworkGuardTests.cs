using System.Net;
using System.Net.Sockets;
using Feeds.Core.Composition;
using Feeds.Core.Fetching;
using Feeds.Core.Sources;

namespace Feeds.Tests.Fetching;

public sealed class NetworkGuardTests
{
    private static readonly NetworkGuard DefaultGuard = new(new FetchingSettings(new FetchOptions()), TimeProvider.System);

    [Theory]
    [InlineData("127.0.0.1", false)]
    [InlineData("127.255.255.254", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.16.0.1", false)]
    [InlineData("172.31.255.255", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("100.127.255.255", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("255.255.255.255", false)]
    [InlineData("::", false)]
    [InlineData("::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fc00::1", false)]
    [InlineData("fd12:3456::1", false)]
    [InlineData("ff02::1", false)]
    [InlineData("::ffff:127.0.0.1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("::ffff:169.254.169.254", false)]
    [InlineData("64:ff9b::7f00:1", false)]
    [InlineData("2002:7f00:1::", false)]
    [InlineData("::127.0.0.1", false)]
    [InlineData("93.184.215.14", true)]
    [InlineData("172.32.0.1", true)]
    [InlineData("100.128.0.1", true)]
    [InlineData("2606:4700::1111", true)]
    [InlineData("::ffff:93.184.215.14", true)]
    public void NonPublicAddressesAreRefusedInEveryForm(string address, bool allowed) =>
        Assert.Equal(allowed, DefaultGuard.IsAllowed(IPAddress.Parse(address)));

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("127.0.0.2", false)]
    [InlineData("::1", false)]
    [InlineData("10.0.0.1", false)]
    public void TheAllowlistOpensExactlyWhatItNames(string address, bool allowed) =>
        Assert.Equal(allowed, new NetworkGuard(new FetchingSettings(new FetchOptions { AllowedPrivateNetworks = [IPNetwork.Parse("127.0.0.1/32")] }), TimeProvider.System).IsAllowed(IPAddress.Parse(address)));

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.1")]
    [InlineData("2130706433")]
    [InlineData("0x7f000001")]
    [InlineData("0177.0.0.1")]
    [InlineData("[::ffff:127.0.0.1]")]
    [InlineData("localhost")]
    [InlineData("0.0.0.0")]
    public async Task ABlockedAliasIsRefusedWithoutAnyConnectionAttempt(string host)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var services = new ServiceCollection().AddSingleton(TimeProvider.System)
            .AddFeedsCore(":memory:", new FetchOptions { MinHostSpacing = TimeSpan.Zero }).BuildServiceProvider();

        var result = await services.GetRequiredService<FeedFetcher>()
            .FetchAsync(SourceLocation.ForUrl(new Uri($"http://{host}:{port}/feed.xml")), Validators.None, CancellationToken.None);

        Assert.Equal(FetchFailure.BlockedAddress, Assert.IsType<FetchResult.Failed>(result).Category);
        Assert.False(listener.Pending(), "a connection reached the listener");
    }
}
