using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Xml.Linq;
using Feeds.Service.Hosting;
using Feeds.Tests.Support;
using Xunit.Abstractions;

namespace Feeds.Tests.Durability;

/// <summary>SIGTERM to the real process while a poll hangs on a source that never answers and readers keep reading.</summary>
[Collection(DurabilityCollection.Name)]
public sealed class ShutdownTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SigtermStopsWithinTheShutdownTimeoutDespiteAHangingPollAndAnswersInFlightComplete()
    {
        await using var server = await LoopbackSourceServer.StartAsync();
        var sources = new ChangingSources(server, count: 4);
        var hang = server.ServeHang("/hang.rss");
        using var folder = new TempFolder();
        var (configPath, databasePath) = (folder.File("feeds.json"), folder.File("feeds.db"));
        await File.WriteAllTextAsync(configPath, JsonSerializer.Serialize(new
        {
            sections = new[] { new { id = "all", title = "All", description = "Every source" } },
            sources = sources.ConfigEntries("all").Append(new { id = "hang", url = hang.AbsoluteUri, sections = new[] { "all" } }),
            // The fetch deadline is far beyond the shutdown timeout: it cannot be what ends the hanging poll.
            fetching = new { allowPrivateNetworks = new[] { "127.0.0.1/32" }, minHostSpacing = "0s", perHostConcurrency = 8, timeout = "2m" },
        }));
        await using var service = await FeedsServiceProcess.StartAsync(configPath, databasePath);
        await service.WaitForOutputAsync(line => line.Contains("Polled s003", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        while (server.RequestCount("/hang.rss") == 0)
            await Task.Delay(20);

        using var reading = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 8).Select(_ => ReadUntilGoneAsync(service.BaseUri, reading.Token)).ToList();
        await Task.Delay(300);
        var stopping = Stopwatch.StartNew();
        var signalled = DateTimeOffset.UtcNow;
        service.Terminate();
        var exitCode = await service.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var stopped = stopping.Elapsed;
        await reading.CancelAsync();
        var answers = (await Task.WhenAll(readers)).SelectMany(a => a).ToList();

        Assert.Equal(0, exitCode);
        Assert.True(stopped < FeedsApp.ShutdownTimeout + TimeSpan.FromSeconds(5), $"stopping took {stopped}");
        // Every answer that began arrived whole: a 200 with a well-formed feed, never a cut-off body.
        Assert.NotEmpty(answers);
        Assert.All(answers, answer => Assert.True(answer.Complete, answer.Problem));
        var audit = await DatabaseAudit.ReadAsync(databasePath);
        Assert.Equal("ok", audit.Integrity);
        Assert.Equal(sources.PublishedItemCount, audit.Items.Count);
        Assert.Null(audit.Sources.SingleOrDefault(s => s.Id == "hang")?.ETag);
        output.WriteLine($"stopped in {stopped.TotalSeconds:0.0} s with a poll hanging; {answers.Count} answers, "
            + $"{answers.Count(a => a.FinishedAt > signalled)} of them finished after SIGTERM, all whole");
    }

    private sealed record Answer(bool Complete, string? Problem, DateTimeOffset FinishedAt);

    /// <summary>Reads the RSS feed over and over on fresh connections until the service is gone.</summary>
    private static async Task<List<Answer>> ReadUntilGoneAsync(Uri baseUri, CancellationToken stop)
    {
        var answers = new List<Answer>();
        using var client = new HttpClient { BaseAddress = baseUri };
        while (!stop.IsCancellationRequested)
        {
            HttpResponseMessage response;
            try
            {
                response = await client.GetAsync("sections/all/rss", HttpCompletionOption.ResponseHeadersRead, CancellationToken.None);
            }
            catch (HttpRequestException)
            {
                // Refused or closed before an answer began: the listener is gone, which is how a stop looks to a new request.
                await Task.Delay(10, CancellationToken.None);
                continue;
            }
            using (response)
            {
                try
                {
                    var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                    var ok = response.StatusCode == HttpStatusCode.OK && XDocument.Parse(body).Root?.Name.LocalName == "rss";
                    answers.Add(new Answer(ok, ok ? null : $"{(int)response.StatusCode}: {body[..Math.Min(body.Length, 200)]}", DateTimeOffset.UtcNow));
                }
                catch (Exception e) when (e is HttpRequestException or IOException or System.Xml.XmlException)
                {
                    answers.Add(new Answer(false, "an answer was cut off: " + e.Message, DateTimeOffset.UtcNow));
                }
            }
        }
        return answers;
    }
}
