using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Feeds.Core.Refreshing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Feeds.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Feeds.Tests.EndToEnd;

/// <summary>
/// <c>/status</c> with a catalogue larger than a page: a summary by state, failing sources first, pages of 100 that
/// walk every source once, and filters by state, section and text, as HTML and as JSON, from the real service on
/// a few hundred loopback sources. On SQLite (<see cref="StatusAtScaleTests"/>) and on PostgreSQL (<see cref="PostgresStatusAtScaleTests"/>).
/// </summary>
public abstract partial class StatusAtScaleTests<TStore>(StatusAtScaleTests<TStore>.Service service) : IClassFixture<StatusAtScaleTests<TStore>.Service>
    where TStore : IStoreChoice
{
    private const int SourceCount = 260;
    private const int PageSize = 100;

    private static string Id(int i) => $"src-{i:D3}";

    /// <summary>Every 37th from the 5th answers 404: src-005, 042, 079, 116, 153, 190, 227.</summary>
    private static bool Fails(int i) => i % 37 == 5;

    /// <summary>Two never answer, so they stay unpolled while the tests run.</summary>
    private static bool Hangs(int i) => i is 100 or 200;

    private static readonly string[] FailingIds = [.. Enumerable.Range(0, SourceCount).Where(Fails).Select(Id)];
    private static readonly string[] NeverPolledIds = [.. Enumerable.Range(0, SourceCount).Where(Hangs).Select(Id)];

    /// <summary>What the status lists, in its order: failing, then never polled, then ok, each by id.</summary>
    private static readonly string[] ExpectedOrder =
        [.. FailingIds, .. NeverPolledIds, .. Enumerable.Range(0, SourceCount).Where(i => !Fails(i) && !Hangs(i)).Select(Id)];

    private const string MarkupTitle = "<b>Bold</b> & <script>alert(1)</script>";

    /// <summary>The real service on 260 loopback sources in two sections, started and polled once for the class.</summary>
    public sealed class Service : IAsyncLifetime
    {
        private LoopbackSourceServer _sources = null!;

        public FeedsTestHost Host { get; private set; } = null!;

        /// <summary>The service's activity store, noting which sources each page render read.</summary>
        public CountingActivityStore Activity { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            _sources = await LoopbackSourceServer.StartAsync();
            var feed = Encoding.UTF8.GetBytes(
                $"<rss version=\"2.0\"><channel><title>A feed</title><link>https://example.com/</link><item><title>News</title><link>https://example.com/1</link><pubDate>{DateTimeOffset.UtcNow.AddHours(-1):R}</pubDate></item></channel></rss>");
            var sources = Enumerable.Range(0, SourceCount).Select(i =>
            {
                var path = $"/{Id(i)}.rss";
                var url = Fails(i) ? _sources.ServeStatus(path, 404) : Hangs(i) ? _sources.ServeHang(path) : _sources.Serve(path, feed);
                return new
                {
                    id = Id(i),
                    title = i switch { 3 => MarkupTitle, 150 => "Harbor Wire", _ => $"Source {i}" },
                    url = url.AbsoluteUri,
                    sections = new[] { i % 2 == 0 ? "even" : "odd" },
                };
            }).ToArray();
            var started = DateTimeOffset.UtcNow;
            Host = await FeedsTestHost.StartAsync(
                new[] { new { id = "even", title = "Even", description = "" }, new { id = "odd", title = "Odd", description = "" } },
                sources,
                fetching: new { allowPrivateNetworks = new[] { "127.0.0.1/32" }, minHostSpacing = "0s", perHostConcurrency = 8 },
                replaceServices: services => services.Decorate<IActivityStore>(inner => Activity = new CountingActivityStore(inner)),
                store: TStore.Kind);
            await Host.WaitForPollsAsync(SourceCount - NeverPolledIds.Length, started, TimeSpan.FromSeconds(60));
        }

        public async Task DisposeAsync()
        {
            await Host.DisposeAsync();
            await _sources.DisposeAsync();
        }
    }

    private async Task<JsonElement> JsonAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path.TrimStart('/'));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await service.Host.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private Task<string> HtmlAsync(string path) => service.Host.Client.GetStringAsync(path.TrimStart('/'));

    private static string[] Ids(JsonElement page) => [.. page.GetProperty("sources").EnumerateArray().Select(s => s.GetProperty("id").GetString()!)];

    /// <summary>The source ids of the rows of an HTML status page, in order.</summary>
    private static string[] Ids(string html) => [.. RowId().Matches(html).Select(m => m.Groups[1].Value)];

    [GeneratedRegex("<tr class=\"[a-z-]+\"><td class=\"name\"><strong>([^<]+)</strong>")]
    private static partial Regex RowId();

    [GeneratedRegex("<a rel=\"next\" href=\"([^\"]+)\"")]
    private static partial Regex NextLink();

    [Fact]
    public async Task TheSummaryCountsEachStateOfAMixOfOkFailingAndNeverPolledSources()
    {
        var summary = await JsonAsync("/status/summary");

        Assert.Equal(SourceCount, summary.GetProperty("sources").GetInt32());
        var byState = summary.GetProperty("byState");
        Assert.Equal(FailingIds.Length, byState.GetProperty("failing").GetInt32());
        Assert.Equal(NeverPolledIds.Length, byState.GetProperty("never-polled").GetInt32());
        Assert.Equal(SourceCount - FailingIds.Length - NeverPolledIds.Length, byState.GetProperty("ok").GetInt32());
        Assert.Equal(0, byState.GetProperty("silent").GetInt32());
        Assert.Equal(0, byState.GetProperty("gone").GetInt32());
        Assert.Equal(FailingIds.Length, summary.GetProperty("failingByCategory").GetProperty("HttpStatus").GetInt32());
        Assert.Equal(JsonValueKind.Null, summary.GetProperty("storeWriteFault").ValueKind);
        Assert.Equal(JsonValueKind.Null, summary.GetProperty("rejectedConfig").ValueKind);
        // Every page of /status carries the same counts.
        Assert.Equal(JsonSerializer.Serialize(byState), JsonSerializer.Serialize((await JsonAsync("/status?page=2")).GetProperty("summary").GetProperty("byState")));
        var html = await HtmlAsync("/status");
        Assert.Contains($"{SourceCount} sources, {FailingIds.Length} failing, 0 silent.", html);
    }

    [Fact]
    public async Task FailingSourcesComeFirstOnTheFirstPage()
    {
        var json = Ids(await JsonAsync("/status"));
        var html = Ids(await HtmlAsync("/status"));

        Assert.Equal(FailingIds, json.Take(FailingIds.Length));
        Assert.Equal(FailingIds, html.Take(FailingIds.Length));
        // src-005 fails, src-000 is fine: the failure is listed first though its id sorts later.
        Assert.True(Array.IndexOf(html, "src-005") < Array.IndexOf(html, "src-000"));
    }

    [Fact]
    public async Task JsonPagesWalkEverySourceExactlyOnceInOrder()
    {
        var walked = new List<string>();
        var pageSizes = new List<int>();
        string? next = "/status";
        while (next is not null)
        {
            var page = await JsonAsync(next);
            Assert.Equal(SourceCount, page.GetProperty("matching").GetInt32());
            Assert.Equal(3, page.GetProperty("pages").GetInt32());
            pageSizes.Add(Ids(page).Length);
            walked.AddRange(Ids(page));
            next = page.GetProperty("links").GetProperty("next").GetString();
        }

        Assert.Equal([PageSize, PageSize, SourceCount - 2 * PageSize], pageSizes);
        Assert.Equal(ExpectedOrder, walked);
    }

    [Fact]
    public async Task HtmlPagesHoldOnePageOfRowsAndWalkEverySourceExactlyOnceInOrder()
    {
        var walked = new List<string>();
        var pageSizes = new List<int>();
        string? next = "/status";
        while (next is not null)
        {
            var html = await HtmlAsync(next);
            pageSizes.Add(Ids(html).Length);
            walked.AddRange(Ids(html));
            next = NextLink().Match(html) is { Success: true } link ? WebUtility.HtmlDecode(link.Groups[1].Value) : null;
        }

        Assert.Equal([PageSize, PageSize, SourceCount - 2 * PageSize], pageSizes);
        Assert.Equal(ExpectedOrder, walked);
    }

    [Fact]
    public async Task FiltersPickByStateSectionAndTextAndTheirLinksKeepThem()
    {
        Assert.Equal(FailingIds, Ids(await JsonAsync("/status?state=failing")));
        Assert.Equal(NeverPolledIds, Ids(await JsonAsync("/status?state=never-polled")));
        Assert.Equal(NeverPolledIds, Ids(await HtmlAsync("/status?state=never-polled")));
        var odd = await JsonAsync("/status?section=odd");
        Assert.Equal(SourceCount / 2, odd.GetProperty("matching").GetInt32());
        Assert.All(odd.GetProperty("sources").EnumerateArray(), s => Assert.Equal("odd", s.GetProperty("sections")[0].GetString()));
        Assert.Equal(["src-005", "src-079", "src-153", "src-227"], Ids(await JsonAsync("/status?state=failing&section=odd")));
        // Text matches the title, the id or the URL, in any case.
        Assert.Equal(["src-150"], Ids(await JsonAsync("/status?q=harbor")));
        Assert.Equal(Enumerable.Range(0, 10).Select(Id), Ids(await JsonAsync("/status?q=SRC-00")).Order(StringComparer.Ordinal));
        Assert.Equal(["src-042"], Ids(await JsonAsync("/status?q=src-042.rss")));
        Assert.Empty(Ids(await JsonAsync("/status?q=nothing-like-this")));

        var even = await JsonAsync("/status?section=even&q=src");
        Assert.Equal("/status?section=even&q=src&page=2", even.GetProperty("links").GetProperty("next").GetString());
        var html = await HtmlAsync("/status?section=even&q=src");
        Assert.Contains("<a rel=\"next\" href=\"/status?section=even&amp;q=src&amp;page=2\">", html);
        Assert.Contains("<option value=\"even\" selected>", html);
        Assert.Contains("value=\"src\"", html);
    }

    [Fact]
    public async Task APageReadsTheLastDayOfItsOwnRowsOnlyAndIsThenKept()
    {
        // A query no other test asks: 130 odd sources match, the second page holds the last 30.
        const string path = "/status?section=odd&q=src&page=2";
        var readsBefore = service.Activity.SourceReads.Count;
        var html = await HtmlAsync(path);
        var reads = service.Activity.SourceReads.Skip(readsBefore).ToList();
        var readsAfterFirst = service.Activity.SourceReads.Count;
        var again = await HtmlAsync(path);

        var rows = Ids(html);
        Assert.Equal(SourceCount / 2 - PageSize, rows.Length);
        // One read, of the page's rows: its cost is the page's, not the catalogue's or the filter's.
        Assert.Equal(rows.Order(StringComparer.Ordinal), Assert.Single(reads).Order(StringComparer.Ordinal));
        // Asked again, it is the kept page: nothing is read (unless a new snapshot came between, which reads the page once more).
        Assert.True(service.Activity.SourceReads.Count - readsAfterFirst <= 1);
        Assert.Equal(rows, Ids(again));
    }

    [Fact]
    public async Task AQueryThatNamesNoStateSectionOrPageIsABadRequest()
    {
        foreach (var query in new[] { "state=bogus", "state=1", "section=nowhere", "page=0", "page=two", "q=" + new string('x', 201) })
        {
            using var response = await service.Host.Client.GetAsync("status?" + query);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"?{query} answered {response.StatusCode}");
        }
        // A page past the last is empty, with a way back.
        var beyond = await JsonAsync("/status?page=9");
        Assert.Empty(Ids(beyond));
        Assert.Equal("/status?page=3", beyond.GetProperty("links").GetProperty("previous").GetString());
    }

    [Fact]
    public async Task TheFilterFormWorksUnderThePolicyAndTitlesWithMarkupAreEncoded()
    {
        using var response = await service.Host.Client.GetAsync("status?q=src-003");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Contains("<form method=\"get\" action=\"/status\"", html);
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("form-action 'self'", policy);
        Assert.Contains("default-src 'none'", policy);
        Assert.DoesNotContain("script-src", policy);
        Assert.Equal((true, true, false), (response.Headers.CacheControl!.Private, response.Headers.CacheControl.NoCache, response.Headers.CacheControl.Public));
        Assert.Equal(["src-003"], Ids(html));
        Assert.Contains("&lt;b&gt;Bold&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
    }
}

public sealed class StatusAtScaleTests(StatusAtScaleTests<OnSqlite>.Service service) : StatusAtScaleTests<OnSqlite>(service);

public sealed class PostgresStatusAtScaleTests(StatusAtScaleTests<OnPostgres>.Service service) : StatusAtScaleTests<OnPostgres>(service);

/// <summary>
/// The status is built once per change and answered meanwhile from the last build: a poll or a config edit shows a build
/// later (milliseconds here), long before the snapshot's 30 s age would. On SQLite; <see cref="PostgresStatusFollowsChangesTests"/>
/// runs the same on PostgreSQL.
/// </summary>
public class StatusFollowsChangesTests : IAsyncLifetime
{
    protected virtual StoreKind Store => StoreKind.Sqlite;

    private LoopbackSourceServer _sources = null!;
    private FeedsTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _sources = await LoopbackSourceServer.StartAsync();
        _sources.Serve("/wire.rss", TestFiles.SampleBytes("world-wire.rss"));
        _sources.Serve("/desk.rss", TestFiles.SampleBytes("techdesk.rss"));
        var started = DateTimeOffset.UtcNow;
        _host = await FeedsTestHost.StartAsync(
            new[] { new { id = "news", title = "News", description = "" } },
            new[]
            {
                new { id = "wire", url = new Uri(_sources.BaseUri, "wire.rss").AbsoluteUri, sections = new[] { "news" } },
                new { id = "desk", url = new Uri(_sources.BaseUri, "desk.rss").AbsoluteUri, sections = new[] { "news" } },
            },
            store: Store);
        await _host.WaitForPollsAsync(2, started);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _sources.DisposeAsync();
    }

    private async Task<JsonElement> SummaryAsync() =>
        JsonDocument.Parse(await _host.Client.GetStringAsync("status/summary")).RootElement.Clone();

    /// <summary>The summary once it shows what <paramref name="shows"/> asks, or after 5 s (a sixth of the age at which a snapshot is rebuilt anyway).</summary>
    private async Task<JsonElement> SummaryShowingAsync(Func<JsonElement, bool> shows)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        var summary = await SummaryAsync();
        while (!shows(summary) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            summary = await SummaryAsync();
        }
        return summary;
    }

    [Fact]
    public async Task APollThatFailsShowsWithinABuild()
    {
        Assert.Equal(0, (await SummaryAsync()).GetProperty("byState").GetProperty("failing").GetInt32());
        _sources.ServeStatus("/wire.rss", 500);
        var config = _host.Services.GetRequiredService<FeedsConfigMonitor>().Current;

        await _host.Services.GetRequiredService<SourceRefresher>().RefreshAsync(config.Sources.Single(s => s.Id == "wire"), PollReason.Manual, CancellationToken.None);

        var summary = await SummaryShowingAsync(s => s.GetProperty("byState").GetProperty("failing").GetInt32() > 0);
        Assert.Equal(1, summary.GetProperty("byState").GetProperty("failing").GetInt32());
        Assert.Equal(1, summary.GetProperty("failingByCategory").GetProperty("HttpStatus").GetInt32());
    }

    [Fact]
    public async Task ARejectedConfigEditShowsWithinABuild()
    {
        Assert.Equal(2, (await SummaryAsync()).GetProperty("sources").GetInt32());
        var monitor = _host.Services.GetRequiredService<FeedsConfigMonitor>();
        var before = monitor.Current;
        await File.WriteAllTextAsync(_host.ConfigPath, "{ \"sections\": [], \"sources\": [], \"colour\": 1 }");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (monitor.Rejected is null && DateTime.UtcNow < deadline)
            await Task.Delay(50);

        var summary = await SummaryShowingAsync(s => s.GetProperty("rejectedConfig").ValueKind != JsonValueKind.Null);

        Assert.Same(before, monitor.Current);
        Assert.Equal(1, summary.GetProperty("rejectedConfig").GetProperty("problems").GetInt32());
    }
}

/// <summary>The same tests with the service storing in PostgreSQL.</summary>
public sealed class PostgresStatusFollowsChangesTests : StatusFollowsChangesTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}
