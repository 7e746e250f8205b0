using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Feeds.Tests.Storage;

/// <summary>
/// Writes rows straight into a Feeds database, past normalization, as an older version or an operator's editor
/// might have: whatever values a test gives, over plain defaults.
/// </summary>
public static class HandWrittenRows
{
    /// <summary>Values no version of Feeds should have written, one kind per row, for the read side to cope with.</summary>
    public static IEnumerable<(string Key, Dictionary<string, object?> Columns)> Hostile()
    {
        var megabyte = new string('x', 1024 * 1024);
        yield return ("year-1", new() { ["published_at"] = new DateTimeOffset(1, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), ["title"] = "Dated year one" });
        yield return ("year-1800", new() { ["published_at"] = new DateTimeOffset(1800, 6, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), ["title"] = "Dated 1800" });
        yield return ("year-3000", new() { ["published_at"] = new DateTimeOffset(3000, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), ["updated_at"] = new DateTimeOffset(3000, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), ["title"] = "Dated 3000" });
        yield return ("year-9999", new() { ["published_at"] = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds(), ["updated_at"] = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds(), ["title"] = "Dated 9999" });
        yield return ("beyond-time", new() { ["published_at"] = long.MaxValue, ["updated_at"] = long.MinValue, ["first_seen_at"] = long.MinValue, ["title"] = "Beyond any calendar" });
        yield return ("controls", new()
        {
            ["title"] = "Nul\u0000 bell\u0007 del\u007F c1\u0085 lone \uD800 high \uDC00 low",
            ["summary_text"] = "Teaser\u0000with\u0001controls",
            ["summary_html"] = "<p>Summary\u0000\u001B</p>",
            ["content_html"] = "<p>Body\u0000 \uDBFF</p>",
            ["guid"] = "guid\u0000",
            ["authors_json"] = "[{\"Name\":\"Jane\\u0000 Doe\\u0007\",\"Email\":\"jane\\u0001@example.com\",\"Uri\":\"https://example.com/jane\\u0000\"}]",
            ["categories_json"] = "[\"World\\u0000\", \"\\ud800lone\"]",
        });
        yield return ("huge-title", new() { ["title"] = "Huge " + megabyte });
        yield return ("markup-title", new() { ["title"] = "<script>alert(1)</script><b>Bold</b> &lt;svg onload=alert(2)&gt; </title><script>x()</script>headline" });
        yield return ("bad-urls", new()
        {
            ["title"] = "Bad URLs",
            ["link"] = "javascript:alert(1)",
            ["image_url"] = "javascript:alert(2)",
            ["authors_json"] = "[{\"Name\":\"Mallory\",\"Uri\":\"javascript:alert(3)\"},{\"Name\":\"Eve\",\"Uri\":\"/relative/eve\"}]",
            ["enclosures_json"] = "[{\"Url\":\"javascript:alert(4)\",\"Type\":\"audio/mpeg\",\"Length\":1},{\"Url\":\"/relative.mp3\",\"Type\":\"audio/mpeg\"},{\"Url\":\"https://example.com/ok.mp3\",\"Type\":\"audio/mpeg\\\"><x\",\"Length\":-5}]",
        });
        yield return ("relative-urls", new() { ["title"] = "Relative URLs", ["link"] = "/story/1", ["image_url"] = "img.png" });
        yield return ("malformed-json", new()
        {
            ["title"] = "Malformed JSON",
            ["authors_json"] = "[{\"Name\":",
            ["categories_json"] = "{\"not\":\"a list\"}",
            ["enclosures_json"] = "[null, 5, \"x\", {\"Url\": 7}]",
        });
        yield return ("nulls", new() { ["title"] = "", ["link"] = null, ["summary_text"] = null, ["summary_html"] = null, ["content_html"] = null, ["guid"] = null, ["link_key"] = null, ["headline_key"] = null });
        // Invalid UTF-8, and a surrogate encoded as UTF-8 (CESU-8), which SQLite stores as given.
        yield return ("invalid-utf8", new() { ["title"] = new RawText([0x42, 0x61, 0x64, 0x20, 0xC3, 0x28, 0xFF, 0x00, 0x20, 0xED, 0xA0, 0x80, 0x62, 0x79, 0x74, 0x65, 0x73]) });
        yield return ("negative-reading", new() { ["title"] = "Reading time below zero", ["reading_minutes"] = long.MinValue });
    }

    /// <summary>Bytes stored as TEXT as they are, valid UTF-8 or not (SQLite does not check).</summary>
    public sealed record RawText(byte[] Bytes);

    public static async Task InsertItemAsync(DbConnection connection, string sourceId, string key, IReadOnlyDictionary<string, object?> columns, DateTimeOffset now)
    {
        var values = new Dictionary<string, object?>
        {
            ["source_id"] = sourceId,
            ["item_key"] = key,
            ["content_hash"] = "hand-written",
            ["guid"] = key,
            ["title"] = "Hand-written " + key,
            ["link"] = $"https://example.com/{key}",
            ["summary_html"] = "<p>Summary</p>",
            ["summary_text"] = "Summary",
            ["content_html"] = null,
            ["authors_json"] = "[]",
            ["categories_json"] = "[]",
            ["enclosures_json"] = "[]",
            ["image_url"] = null,
            ["reading_minutes"] = 1L,
            ["published_at"] = now.AddHours(-1).ToUnixTimeMilliseconds(),
            ["date_is_estimated"] = 0L,
            ["updated_at"] = now.AddHours(-1).ToUnixTimeMilliseconds(),
            ["first_seen_at"] = now.AddHours(-1).ToUnixTimeMilliseconds(),
            ["last_changed_at"] = now.AddHours(-1).ToUnixTimeMilliseconds(),
            ["link_key"] = null,
            ["headline_key"] = null,
        };
        foreach (var (column, value) in columns)
            values[column] = value;
        var names = values.Keys.ToList();
        var sql = $"INSERT INTO items ({string.Join(", ", names)}) VALUES ({string.Join(", ", names.Select(Value))})";
        var parameters = new DynamicParameters();
        foreach (var name in names.Where(n => values[n] is not RawText))
            parameters.Add(name, values[name]);
        await connection.ExecuteAsync(sql, parameters);

        string Value(string name) => values[name] is RawText raw ? $"CAST(X'{Convert.ToHexString(raw.Bytes)}' AS TEXT)" : "@" + name;
    }

    /// <summary>A source row with the columns given, inserted or, when it exists, overwritten column by column.</summary>
    public static async Task WriteSourceAsync(SqliteConnection connection, string sourceId, IReadOnlyDictionary<string, object?> columns)
    {
        await connection.ExecuteAsync("INSERT OR IGNORE INTO sources (id, url) VALUES (@sourceId, @url)", new { sourceId, url = $"https://{sourceId}.example.com/rss" });
        foreach (var (column, value) in columns)
            await connection.ExecuteAsync($"UPDATE sources SET {column} = @value WHERE id = @sourceId", new { value, sourceId });
    }

    public static async Task<SqliteConnection> OpenAsync(string databasePath)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        await connection.ExecuteAsync("PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;");
        return connection;
    }
}
