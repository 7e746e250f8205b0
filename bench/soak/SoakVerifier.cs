using Dapper;
using Microsoft.Data.Sqlite;

namespace Feeds.Bench.Soak;

/// <summary>
/// Compares a Feeds database with what the soak sources published: items stored against published, duplicates,
/// items missing although the stored validators say they were seen, and the file's integrity. Exit 1 on any fault.
/// </summary>
internal static class SoakVerifier
{
    public static async Task<int> RunAsync(string databasePath, Uri manifestUrl)
    {
        var manifest = await SoakSources.ReadManifestAsync(manifestUrl);
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync();
        var integrity = string.Join("; ", await connection.QueryAsync<string>("PRAGMA integrity_check;"));
        var items = (await connection.QueryAsync<(string SourceId, string Guid, string Link)>("SELECT source_id, guid, link FROM items")).ToList();
        var etags = (await connection.QueryAsync<(string Id, string? ETag)>("SELECT id, etag FROM sources")).ToDictionary(s => s.Id, s => s.ETag);

        var stored = items.Select(i => (i.SourceId, i.Guid)).ToHashSet();
        var duplicates = items.Count - stored.Count + (items.Count - items.Select(i => i.Link).Distinct().Count());
        int published = 0, seen = 0, missing = 0;
        foreach (var source in manifest)
        {
            published += source.Published;
            // What the stored ETag says was fetched: every item of that version (within the feed's window) must be here.
            var version = etags.GetValueOrDefault(source.Id) is { } etag && etag.LastIndexOf("-v", StringComparison.Ordinal) is var at and > 0
                ? int.Parse(etag.AsSpan(at + 2).TrimEnd('"'), System.Globalization.CultureInfo.InvariantCulture)
                : 0;
            var newest = version * SoakSources.ItemsPerVersion;
            seen += newest;
            missing += Enumerable.Range(1, newest).Count(item => !stored.Contains((source.Id, SoakSources.GuidOf(source.Id, item))));
        }
        var unknown = items.Count(i => !i.Guid.StartsWith("urn:soak:", StringComparison.Ordinal));

        Console.WriteLine($"items published by the sources   {published}");
        Console.WriteLine($"items stored                     {items.Count}");
        Console.WriteLine($"  published before the last poll {seen} (missing {missing})");
        Console.WriteLine($"  published since the last poll  {published - seen} (picked up by the next poll)");
        Console.WriteLine($"duplicates                       {duplicates}");
        Console.WriteLine($"unknown items                    {unknown}");
        Console.WriteLine($"integrity_check                  {integrity}");
        return integrity == "ok" && duplicates == 0 && missing == 0 && unknown == 0 ? 0 : 1;
    }
}
