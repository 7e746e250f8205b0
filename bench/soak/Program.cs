// Soak helpers, driven by bench/soak/run.sh (see bench/README.md, "Soak"):
//   sources PORT COUNT PERIOD_SECONDS   loopback sources that each publish new items every period
//   verify DB MANIFEST_URL              stored items against what the sources published
//   sync-cost [POLLS] [FOLDER]          the cost of synchronous=FULL against NORMAL, one commit per poll
using System.Globalization;
using Feeds.Bench.Soak;

return args switch
{
    ["sources", var port, var count, var period] => await SoakSources.RunAsync(Number(port), Number(count), TimeSpan.FromSeconds(Number(period))),
    ["verify", var database, var manifest] => await SoakVerifier.RunAsync(database, new Uri(manifest)),
    ["sync-cost", .. var rest] => await SyncCost.RunAsync(rest.Length > 0 ? Number(rest[0]) : 500, rest.Length > 1 ? rest[1] : "data"),
    _ => Usage(),
};

static int Number(string text) => int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);

static int Usage()
{
    Console.Error.WriteLine("usage: Feeds.Bench.Soak sources PORT COUNT PERIOD_SECONDS | verify DB MANIFEST_URL | sync-cost [POLLS] [FOLDER]");
    return 2;
}
