// The loopback side of the scale benchmark (bench/scale/run.sh, see bench/README.md, "Scale"):
//   config PORT HOSTS SOURCES ITEMS SECTIONS   the service's config for that layout, on standard output
//   serve  PORT HOSTS SOURCES ITEMS SECTIONS   the sources themselves, until stopped
using System.Globalization;
using Feeds.Bench.Scale;

if (args is not [var verb, var port, var hosts, var sources, var items, var sections] || verb is not ("config" or "serve"))
{
    Console.Error.WriteLine("usage: Feeds.Bench.Scale config|serve PORT HOSTS SOURCES ITEMS SECTIONS");
    return 2;
}
var layout = new Layout(Number(port), Number(hosts), Number(sources), Number(items), Number(sections));
if (verb == "serve")
    return await SourceServer.RunAsync(layout);
Console.WriteLine(layout.Config());
return 0;

static int Number(string text) => int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
