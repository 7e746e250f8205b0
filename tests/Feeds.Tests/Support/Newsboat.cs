using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Feeds.Tests.Support;

/// <summary>
/// The newsboat feed reader (Debian's <c>newsboat</c>; tests/run-all.sh installs it), run headless: its own config,
/// urls and cache files in a temp folder, one <c>-x reload</c>, and what it stored read back from its cache database.
/// </summary>
/// <remarks>
/// One cache per feed: newsboat keeps an article once by its guid, so a report in two subscribed feeds (a search and a
/// story) would be stored under whichever feed it read first.
/// </remarks>
public static class Newsboat
{
    /// <summary>Subscribes newsboat to <paramref name="feed"/>, reloads it once and returns the titles it stored, in order of title.</summary>
    public static async Task<IReadOnlyList<string>> ReadAsync(Uri feed)
    {
        using var folder = new TempFolder();
        var urls = folder.File("urls");
        var config = folder.File("config");
        var cache = folder.File("cache.db");
        var log = folder.File("newsboat.log");
        await File.WriteAllLinesAsync(urls, [feed.AbsoluteUri]);
        // No proxy: the service is on loopback. Errors only from the reader itself are not written to the terminal.
        await File.WriteAllTextAsync(config, "use-proxy no\nreload-threads 1\ndownload-timeout 20\n");
        var start = new ProcessStartInfo("newsboat")
        {
            ArgumentList = { "-x", "reload", "-u", urls, "-C", config, "-c", cache, "-d", log, "-l", "4" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        // Newsboat reads HOME for its default files even when every file is given.
        start.Environment["HOME"] = folder.Path;
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"newsboat is not installed ({e.Message}); install it with `apt-get install newsboat` (tests/run-all.sh does so as root)", e);
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(deadline.Token);
            var logged = File.Exists(log) ? await File.ReadAllTextAsync(log) : "";
            Assert.True(process.ExitCode == 0, $"newsboat -x reload exited {process.ExitCode}: {await output} {await errors} {logged}");
            Assert.False(logged.Contains("ERROR", StringComparison.Ordinal), "newsboat logged an error: " + logged);
        }
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = cache, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT title FROM rss_item WHERE feedurl = $feed ORDER BY title";
        command.Parameters.AddWithValue("$feed", feed.AbsoluteUri);
        await using var reader = await command.ExecuteReaderAsync();
        var titles = new List<string>();
        while (await reader.ReadAsync())
            titles.Add(reader.GetString(0));
        return titles;
    }
}
