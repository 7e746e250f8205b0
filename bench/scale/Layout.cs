using System.Globalization;
using System.Text.Json;

namespace Feeds.Bench.Scale;

/// <summary>
/// Where the benchmark's sources live and how the service is told about them, in one place for the server and the config.
/// Source N is on loopback host <see cref="HostOf"/>(N) of <see cref="Hosts"/>, in section N mod <see cref="Sections"/>.
/// </summary>
/// <param name="ChurnSeconds">0 for the real-time catalogue; else every source is polled that often and publishes an item
/// every 1 to 5 times that, so pages and the status change under constant polling (the re-poll wave, brought forward).</param>
internal sealed record Layout(int Port, int Hosts, int Sources, int Items, int Sections, int ChurnSeconds = 0)
{
    /// <summary>How much faster than real time the sources publish: an hour's gap becomes <see cref="ChurnSeconds"/>.</summary>
    public double Speed => ChurnSeconds > 0 ? 3600.0 / ChurnSeconds : 1;

    /// <summary>
    /// Host <paramref name="h"/>'s address in 127.1.0.0/16. Linux routes all of 127.0.0.0/8 to the loopback interface, so
    /// each address can be bound on its own, without touching the network configuration.
    /// </summary>
    public static string Address(int h) => string.Create(CultureInfo.InvariantCulture, $"127.1.{h / 200}.{h % 200 + 1}");

    public int HostOf(int source) => source % Hosts;

    public string UrlOf(int source) => string.Create(CultureInfo.InvariantCulture, $"http://{Address(HostOf(source))}:{Port}/f/{source}.xml");

    public string ProbeUrl => string.Create(CultureInfo.InvariantCulture, $"http://{Address(0)}:{Port}/probe.xml");

    private static readonly string[] Titles = ["World", "Politics", "Business", "Technology", "Science", "Health", "Sport", "Culture", "Climate", "Local"];

    /// <summary>
    /// The service's config: every source on the service's default schedule, and default settings throughout except the
    /// two a loopback benchmark needs — the private-network allowlist (every source is on 127.0.0.0/8), and the per-host
    /// limits (one request at a time, 1 s apart) lifted to the global cap, because a few hundred loopback hosts stand for
    /// the thousands of hosts a real catalogue spreads over. The probe source asks for a 1-minute schedule.
    /// </summary>
    public string Config() => JsonSerializer.Serialize(new
    {
        sections = Enumerable.Range(0, Sections).Select(s => new
        {
            id = $"sec{s}",
            title = s < Titles.Length ? Titles[s] : $"{Titles[s % Titles.Length]} {s / Titles.Length + 1}",
            description = $"Section {s} of the scale benchmark",
        }),
        sources = Enumerable.Range(0, Sources)
            .Select(n => new { id = $"s{n:D5}", url = UrlOf(n), sections = new[] { $"sec{n % Sections}" }, schedule = ChurnSeconds > 0 ? string.Create(CultureInfo.InvariantCulture, $"{ChurnSeconds}s") : null })
            .Append(new { id = "probe", url = ProbeUrl, sections = new[] { "sec0" }, schedule = (string?)"1m" }),
        fetching = new
        {
            allowPrivateNetworks = new[] { "127.0.0.0/8" },
            perHostConcurrency = 8,
            minHostSpacing = "0s",
        },
    }, new JsonSerializerOptions { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull });
}
