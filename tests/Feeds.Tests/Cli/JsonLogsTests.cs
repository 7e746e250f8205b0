using System.Diagnostics;
using System.Text.Json;
using Feeds.Tests.Support;

namespace Feeds.Tests.Cli;

/// <summary>Logs as a log shipper reads them: the real <c>feeds</c> process, one JSON object per line, properties by name.</summary>
public sealed class JsonLogsTests
{
    [Fact]
    public async Task WithLogFormatJsonAFailedPollIsOneJsonLineWithItsSourceId()
    {
        using var folder = new TempFolder();
        var config = WriteConfigWithAMissingSource(folder);

        var (exit, output, _) = await FeedsProcess.RunAsync("refresh", "--config", config, "--db", folder.File("feeds.db"), "--log-format", "json");

        Assert.Equal(1, exit);
        var warning = Assert.Single(JsonLines(output), line => line.GetProperty("LogLevel").GetString() == "Warning");
        Assert.Equal("gone", warning.GetProperty("State").GetProperty("SourceId").GetString());
        Assert.Equal("Feeds.Core.Refreshing.SourceRefresher", warning.GetProperty("Category").GetString());
        Assert.StartsWith("Poll of gone", warning.GetProperty("Message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheEnvironmentVariableAsksForJsonToo()
    {
        using var folder = new TempFolder();
        var config = WriteConfigWithAMissingSource(folder);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = TestFiles.Root };
        foreach (var arg in new[] { Path.Combine(TestFiles.Root, "feeds.dll"), "refresh", "--config", config, "--db", folder.File("feeds.db") })
            start.ArgumentList.Add(arg);
        start.Environment["FEEDS_LOG_FORMAT"] = "json";

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Contains(JsonLines(output), line => line.GetProperty("State").TryGetProperty("SourceId", out var id) && id.GetString() == "gone");
    }

    [Fact]
    public async Task TheServiceLogsAnHttpPollInOneLineNotTheHttpClientsFourPerRequest()
    {
        await using var server = await LoopbackSourceServer.StartAsync();
        var feed = server.Serve("/wire.rss", TestFiles.SampleBytes("world-wire.rss"));
        using var folder = new TempFolder();
        var config = folder.File("feeds.json");
        File.WriteAllText(config, JsonSerializer.Serialize(new
        {
            sections = new[] { new { id = "world", title = "World" } },
            sources = new[] { new { id = "wire", url = feed.AbsoluteUri, sections = new[] { "world" } } },
            fetching = new { allowPrivateNetworks = new[] { "127.0.0.1/32" } },
        }));

        await using var service = await FeedsServiceProcess.StartAsync(config, folder.File("feeds.db"));
        await service.WaitForOutputAsync(line => line.Contains("Polled wire", StringComparison.Ordinal), TimeSpan.FromSeconds(30));

        Assert.DoesNotContain(service.Output, line => line.Contains("System.Net.Http.HttpClient", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnUnknownLogFormatIsBadUsage()
    {
        var (exit, _, error) = await FeedsProcess.RunAsync("refresh", "--log-format", "xml");

        Assert.Equal(2, exit);
        Assert.Contains("xml", error);
    }

    private static string WriteConfigWithAMissingSource(TempFolder folder)
    {
        var path = folder.File("feeds.json");
        File.WriteAllText(path, """
            { "sections": [{ "id": "world", "title": "World" }],
              "sources": [{ "id": "gone", "url": "no-such-file.rss", "sections": ["world"] }] }
            """);
        return path;
    }

    /// <summary>The lines of the output that are JSON objects (the summary table is text).</summary>
    private static List<JsonElement> JsonLines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => line.TrimStart().StartsWith('{'))
            .Select(line => JsonDocument.Parse(line).RootElement.Clone())
            .ToList();
}
