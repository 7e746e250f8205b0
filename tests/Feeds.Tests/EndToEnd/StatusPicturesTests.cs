using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using Feeds.Tests.Support;

namespace Feeds.Tests.EndToEnd;

/// <summary>
/// The pictures of the last day on <c>/status</c>, through the real service polling loopback sources: each source's polls
/// by outcome and new items per hour, each section's new items per hour, the same counts in the JSON and in the SVG, and
/// the page's layout on a phone. On SQLite; <see cref="PostgresStatusPicturesTests"/> runs the same on PostgreSQL.
/// </summary>
public partial class StatusPicturesTests : IAsyncLifetime
{
    protected virtual StoreKind Store => StoreKind.Sqlite;

    private LoopbackSourceServer _sources = null!;
    private FeedsTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _sources = await LoopbackSourceServer.StartAsync();
        _sources.Serve("/wire.rss", TestFiles.SampleBytes("world-wire.rss"));
        _sources.ServeStatus("/missing.rss", 404);
        var started = DateTimeOffset.UtcNow;
        _host = await FeedsTestHost.StartAsync(
            new[] { new { id = "international", title = "International", description = "" } },
            new[]
            {
                new { id = "wire", url = new Uri(_sources.BaseUri, "wire.rss").AbsoluteUri, sections = new[] { "international" } },
                new { id = "missing", url = new Uri(_sources.BaseUri, "missing.rss").AbsoluteUri, sections = new[] { "international" } },
            }, store: Store);
        await _host.WaitForPollsAsync(2, started);
    }

    private async Task<JsonElement> StatusJsonAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "status");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await _host.Client.SendAsync(request);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static int[] Counts(JsonElement day, string series) => [.. day.GetProperty(series).EnumerateArray().Select(c => c.GetInt32())];

    /// <summary>The hour of the last day <paramref name="at"/> falls in, counted from the day's first.</summary>
    private static int HourIndex(JsonElement day, JsonElement at) =>
        (int)((at.GetDateTimeOffset() - day.GetProperty("from").GetDateTimeOffset()).Ticks / TimeSpan.TicksPerHour);

    [Fact]
    public async Task TheJsonCountsEachPollInItsHourWithTheNewItemsOfTheSourceAndItsSection()
    {
        var status = await StatusJsonAsync();
        var sources = status.GetProperty("sources").EnumerateArray().ToDictionary(s => s.GetProperty("id").GetString()!);
        var wire = sources["wire"].GetProperty("lastDay");
        var missing = sources["missing"].GetProperty("lastDay");
        var section = status.GetProperty("sections")[0].GetProperty("lastDay");

        var polledAt = HourIndex(wire, sources["wire"].GetProperty("lastAttemptAt"));
        Assert.Equal(24, Counts(wire, "updated").Length);
        Assert.Equal(1, Counts(wire, "updated")[polledAt]);
        Assert.Equal(1, Counts(wire, "updated").Sum());
        Assert.Equal(10, Counts(wire, "newItems")[polledAt]);
        Assert.Equal(0, Counts(wire, "failed").Sum() + Counts(wire, "notModified").Sum());
        Assert.Equal(1, Counts(missing, "failed")[HourIndex(missing, sources["missing"].GetProperty("lastAttemptAt"))]);
        Assert.Equal(0, Counts(missing, "newItems").Sum());
        Assert.Equal(10, Counts(section, "newItems").Sum());
        Assert.Equal(sources["wire"].GetProperty("itemsStored").GetInt64(), Counts(section, "newItems").Sum());
    }

    [Fact]
    public async Task TheSparklinesDrawTheCountsOfTheJson()
    {
        var status = await StatusJsonAsync();
        var page = ParsedPage.Parse(await _host.Client.GetStringAsync("status"));

        foreach (var source in status.GetProperty("sources").EnumerateArray())
        {
            var day = source.GetProperty("lastDay");
            var row = page.Document.QuerySelectorAll("table.sources tr").Single(tr => tr.QuerySelector("td.name strong")?.TextContent == source.GetProperty("id").GetString());
            var charts = row.QuerySelectorAll("svg.spark");
            Assert.Equal(2, charts.Length);
            AssertDraws(charts[0], ("updated", Counts(day, "updated")), ("not-modified", Counts(day, "notModified")), ("failed", Counts(day, "failed")));
            AssertDraws(charts[1], ("new", Counts(day, "newItems")));
        }
        var sectionChart = Assert.Single(page.Document.QuerySelectorAll("table.sections svg.spark"));
        AssertDraws(sectionChart, ("new", Counts(status.GetProperty("sections")[0].GetProperty("lastDay"), "newItems")));
        // Drawn on the server: nothing on the page runs.
        Assert.Empty(page.ScriptCarriers);
    }

    /// <summary>
    /// The chart draws each series as one path, read back here into a count per hour: a vertical stroke a bar segment, from
    /// the top of the hour's segments below it (stacked) up by its count, in a viewBox as tall as the busiest hour and
    /// stretched to the chart's height (so a segment's height is its count's share of the busiest hour). One title says
    /// the totals; no element per hour.
    /// </summary>
    private static void AssertDraws(IElement chart, params (string Class, int[] Counts)[] series)
    {
        var busiest = Math.Max(1, Enumerable.Range(0, 24).Max(hour => series.Sum(s => s.Counts[hour])));
        Assert.Equal($"0 -{busiest} 120 {busiest}", chart.GetAttribute("viewBox"));
        Assert.Equal("none", chart.GetAttribute("preserveAspectRatio"));
        Assert.Equal(["title", .. series.Where(s => s.Counts.Sum() > 0).Select(_ => "path")], chart.Children.Select(c => c.LocalName));
        var stacked = new int[24];
        foreach (var (cssClass, counts) in series)
        {
            var drawn = new int[24];
            var bars = chart.QuerySelector($"path.{cssClass}")?.GetAttribute("d") ?? "";
            Assert.Matches(PathBars(), bars);
            foreach (Match bar in BarSegment().Matches(bars))
            {
                var hour = (Number(bar.Groups["x"]) - 2) / 5;
                Assert.Equal(0, drawn[hour]); // one segment an hour and series
                Assert.Equal(-stacked[hour], Number(bar.Groups["y"]));
                drawn[hour] = -Number(bar.Groups["dy"]);
            }
            Assert.Equal(counts, drawn);
            stacked = [.. stacked.Zip(drawn, (below, count) => below + count)];
        }
        // "Polls in 24 h: 1 updated, 0 not modified, 0 failed": each series' total, in order.
        var totals = chart.QuerySelector("title")!.TextContent.Split(" h: ")[1];
        Assert.Equal(series.Select(s => s.Counts.Sum()), TitleCounts().Matches(totals).Select(count => int.Parse(count.Value, CultureInfo.InvariantCulture)));
    }

    private static int Number(Group group) => int.Parse(group.Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(M\d+ -?\d+v-\d+)*$")]
    private static partial Regex PathBars();

    [GeneratedRegex(@"\d+")]
    private static partial Regex TitleCounts();

    [GeneratedRegex(@"M(?<x>\d+) (?<y>-?\d+)v(?<dy>-\d+)")]
    private static partial Regex BarSegment();

    [Fact]
    public async Task OnAPhoneTheTablesAreLabelledCardsAndNoCellIsForcedToBreakWords()
    {
        var page = ParsedPage.Parse(await _host.Client.GetStringAsync("status"));
        var css = string.Concat(page.Document.QuerySelectorAll("style").Select(s => s.TextContent));

        // Below 48rem (phones of 360–412 px) a row is a card: the header row hidden, each cell a line after its label.
        var narrow = NarrowRules().Match(css);
        Assert.True(narrow.Success, "no @media (max-width:48rem) block in the stylesheet");
        Assert.Contains(".stack thead{display:none}", narrow.Value);
        Assert.Contains(".stack,.stack tbody,.stack tr,.stack td{display:block", narrow.Value);
        Assert.Contains(".stack td[data-label]::before{content:attr(data-label)", narrow.Value);
        // Words break at spaces only in these tables, whatever the card around them says (".card{overflow-wrap:anywhere}"
        // cut the headers into "Ou/tco/me" at 412 px); the long URL is cut short with an ellipsis instead.
        Assert.Contains(".stack th,.stack td{overflow-wrap:normal;word-break:normal", css);
        Assert.Contains(".stack th{white-space:nowrap}", css);
        Assert.Matches(@"\.stack \.url\{[^}]*text-overflow:ellipsis", css);
        foreach (var table in page.Document.QuerySelectorAll("table.sources, table.sections"))
        {
            Assert.Contains("stack", table.ClassList);
            Assert.NotNull(table.QuerySelector("thead"));
            // Every cell but the one that names the row says what it is once its header is hidden.
            Assert.All(table.QuerySelectorAll("tbody td:not(.name)"), cell => Assert.False(string.IsNullOrWhiteSpace(cell.GetAttribute("data-label"))));
            Assert.All(table.QuerySelectorAll("td, th"), cell => Assert.Null(cell.GetAttribute("style")));
        }
        Assert.NotNull(page.Document.QuerySelector("meta[name=viewport][content*='width=device-width']"));
    }

    [GeneratedRegex(@"@media \(max-width:48rem\)\{[^@]*\}\s*$", RegexOptions.Multiline)]
    private static partial Regex NarrowRules();

    [Fact]
    public async Task FailingSourcesComeFirstAndTheStateFilterPicksThem()
    {
        var page = ParsedPage.Parse(await _host.Client.GetStringAsync("status"));
        var failing = ParsedPage.Parse(await _host.Client.GetStringAsync("status?state=failing"));

        Assert.Equal(["missing", "wire"], page.Document.QuerySelectorAll("table.sources td.name strong").Select(s => s.TextContent));
        Assert.Equal(["failing", "ok"], page.Document.QuerySelectorAll("table.sources tbody tr").Select(tr => tr.ClassName));
        Assert.Equal(["missing"], failing.Document.QuerySelectorAll("table.sources td.name strong").Select(s => s.TextContent));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _sources.DisposeAsync();
    }
}

/// <summary>The same with the service storing in PostgreSQL: the hourly counts are written and read there.</summary>
public sealed class PostgresStatusPicturesTests : StatusPicturesTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}
