using Dapper;
using Feeds.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Feeds.Tests.Cli;

/// <summary>The operator's commands against a real database: refresh, sources, stories and backup.</summary>
public sealed class OperatorCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private static string Config => Path.Combine(TestFiles.Root, "config", "feeds.json");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task SourcesPrintsEverySourceWithItsOutcomeAndItems()
    {
        await FeedsProcess.RunAsync("refresh", "--config", Config, "--db", _folder.File("feeds.db"));

        var (exit, output, _) = await FeedsProcess.RunAsync("sources", "--config", Config, "--db", _folder.File("feeds.db"));

        Assert.Equal(0, exit);
        Assert.Contains("world-wire", output);
        Assert.Contains("Updated", output);
        Assert.Contains("4 source(s), 0 failing", output);
    }

    [Fact]
    public async Task SourcesPrintsTheSummaryThenOnlyTheSourcesItsFiltersPick()
    {
        await FeedsProcess.RunAsync("refresh", "--config", Config, "--db", _folder.File("feeds.db"));

        var (exit, output, _) = await FeedsProcess.RunAsync("sources", "--config", Config, "--db", _folder.File("feeds.db"),
            "--section", "technology", "--query", "DESK");
        var (badState, _, stateError) = await FeedsProcess.RunAsync("sources", "--config", Config, "--db", _folder.File("feeds.db"), "--state", "fine");
        var (badSection, _, sectionError) = await FeedsProcess.RunAsync("sources", "--config", Config, "--db", _folder.File("feeds.db"), "--section", "sport");

        Assert.Equal(0, exit);
        Assert.Contains("4 source(s), 0 failing, 0 silent, 0 gone, 0 never polled, 4 ok", output);
        Assert.Contains("techdesk", output);
        Assert.DoesNotContain("world-wire", output);
        Assert.Contains("1 matching, page 1 of 1", output);
        Assert.Equal(2, badState);
        Assert.Contains("--state must be one of failing, silent, gone, never-polled, ok", stateError);
        Assert.Equal(2, badSection);
        Assert.Contains("no section \"sport\"", sectionError);
    }

    [Fact]
    public async Task StoriesPrintsEachStoryOfSeveralReportsWithItsIdAndReports()
    {
        await FeedsProcess.RunAsync("refresh", "--config", Config, "--db", _folder.File("feeds.db"));

        var (exit, output, _) = await FeedsProcess.RunAsync("stories", "--config", Config, "--db", _folder.File("feeds.db"));
        var (single, singleOutput, _) = await FeedsProcess.RunAsync("stories", "--config", Config, "--db", _folder.File("feeds.db"), "--min-reports", "1", "-n", "3");
        var (bad, _, badError) = await FeedsProcess.RunAsync("stories", "--config", Config, "--db", _folder.File("feeds.db"), "--limit", "0");

        // The sample feeds tell three events twice: a privacy bill in other words, a port strike under one headline, and
        // the Sarn River accord's signing, foretold the day before (its names, Sarn and Valdoria, in both headlines).
        Assert.Equal(0, exit);
        Assert.Matches(@"story \d+: 2 report\(s\), /stories/\d+\n.*meridian-politics +Assembly passes data privacy bill by narrow margin\n.*capitol-briefing +Privacy bill clears Assembly", output);
        Assert.Matches(@"story \d+: 2 report\(s\), /stories/\d+\n.*world-wire +Port strike halts container traffic", output);
        Assert.Matches(@"story \d+: 2 report\(s\), /stories/\d+\n.*capitol-briefing +Foreign minister to witness Sarn River accord signing in Valdoria\n.*world-wire +Valdoria and Estmark sign Sarn River", output);
        Assert.Contains("3 stories with 2 or more reports, latest first", output);
        Assert.Equal(0, single);
        Assert.Contains("3 stories with 1 or more reports, latest first", singleOutput);
        Assert.Equal(2, bad);
        Assert.Contains("--limit must be 1 or more", badError);
    }

    [Fact]
    public async Task BackupWhileTheServiceRunsGivesACopyThatOpensWithEveryItem()
    {
        var sources = await LoopbackSourceServer.StartAsync();
        await using var _ = sources;
        sources.Serve("/wire.rss", TestFiles.SampleBytes("world-wire.rss"));
        sources.Serve("/tech.rss", TestFiles.SampleBytes("techdesk.rss"));
        var started = DateTimeOffset.UtcNow;
        await using var host = await FeedsTestHost.StartAsync(
            new[] { new { id = "news", title = "News", description = "" } },
            new[]
            {
                new { id = "wire", url = new Uri(sources.BaseUri, "wire.rss").AbsoluteUri, sections = new[] { "news" } },
                new { id = "tech", url = new Uri(sources.BaseUri, "tech.rss").AbsoluteUri, sections = new[] { "news" } },
            });
        await host.WaitForPollsAsync(2, started);
        // Readers keep the database busy while the copy is taken.
        using var readers = new CancellationTokenSource();
        var reading = Task.Run(async () =>
        {
            while (!readers.IsCancellationRequested)
                await host.Client.GetStringAsync("sections/news/atom?before=9999999999999.1");
        });

        var (exit, output, error) = await FeedsProcess.RunAsync("backup", _folder.File("copy.db"), "--db", host.DatabasePath);
        await readers.CancelAsync();
        await reading;

        Assert.True(exit == 0, error);
        Assert.Contains("20 items, integrity ok", output);
        await using var copy = new SqliteConnection($"Data Source={_folder.File("copy.db")};Mode=ReadOnly;Pooling=False");
        await copy.OpenAsync();
        Assert.Equal(20, await copy.ExecuteScalarAsync<long>("SELECT count(*) FROM items"));
        Assert.Equal("ok", await copy.ExecuteScalarAsync<string>("PRAGMA integrity_check"));
    }

    [Fact]
    public async Task ServeOnAnAddressInUseSaysSoAndExitsOne()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        var (exit, _, error) = await FeedsProcess.RunAsync("serve", "--config", Config, "--db", _folder.File("feeds.db"), "--urls", $"http://127.0.0.1:{port}");

        Assert.Equal(1, exit);
        Assert.Contains($"cannot listen on http://127.0.0.1:{port}", error);
        Assert.DoesNotContain("Unhandled exception", error);
    }

    [Fact]
    public async Task BackupOfAMissingDatabaseSaysWhereItLooked()
    {
        var (exit, _, error) = await FeedsProcess.RunAsync("backup", _folder.File("copy.db"), "--db", _folder.File("nothing.db"));

        Assert.Equal(2, exit);
        Assert.Contains("nothing.db", error);
    }
}
