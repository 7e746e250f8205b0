// The loopback side of the scale benchmark (bench/scale/run.sh, see bench/README.md, "Scale"):
//   config PORT HOSTS SOURCES ITEMS SECTIONS [CHURN_SECONDS]   the service's config for that layout, on standard output
//   serve  PORT HOSTS SOURCES ITEMS SECTIONS [CHURN_SECONDS]   the sources themselves, until stopped
// CHURN_SECONDS (0: off) polls every source that often and has it publish an item every 1 to 5 times that.
using System.Globalization;
using Feeds.Bench.Scale;

if (args is not { Length: 6 or 7 } || args[0] is not ("config" or "serve"))
{
    Console.Error.WriteLine("usage: Feeds.Bench.Scale config|serve PORT HOSTS SOURCES ITEMS SECTIONS [CHURN_SECONDS]");
    return 2;
}
var verb = args[0];
var layout = new Layout(Number(args[1]), Number(args[2]), Number(args[3]), Number(args[4]), Number(args[5]), args.Length > 6 ? Number(args[6]) : 0);
if (verb == "serve")
    return await SourceServer.RunAsync(layout);
Console.WriteLine(layout.Config());
return 0;

static int Number(string text) => int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
