using System.Text.Encodings.Web;
using System.Text.Json;
using Feeds.Core.Normalization;
using Feeds.Core.Publishing;
using Feeds.Core.Sources;
using Feeds.Tests.Publishing;
using Feeds.Core.Storage;
using Feeds.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;

namespace Feeds.Tests.Storage;

/// <summary>
/// For any row the items table can hold — any text in any column (controls, lone surrogates, markup, megabytes),
/// any URL text, any JSON or none, any integer as a date — the store reads an item that keeps the invariants and
/// that RSS, Atom and JSON Feed all render whole, to a strict XML reader and a JSON parser.
/// </summary>
public sealed class StoredItemGuardProperties : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly Section World = new("world", "World", "");
    private static readonly SectionLinks Links = new(new Uri("http://127.0.0.1:5080/"), "world");
    private TempStore _temp = null!;
    private int _rows;

    public async Task InitializeAsync() => _temp = await TempStore.CreateAsync(new FakeTimeProvider(Now));

    public Task DisposeAsync()
    {
        _temp.Dispose();
        return Task.CompletedTask;
    }

    [Property(Arbitrary = [typeof(HostileRows)], MaxTest = 100)]
    public void AnyRowReadsAsATrustworthyItemThatEveryFormatRenders(HostileRow row)
    {
        var sourceId = $"p{Interlocked.Increment(ref _rows)}";
        var item = Task.Run(async () =>
        {
            await using var connection = await HandWrittenRows.OpenAsync(_temp.DatabasePath);
            await HandWrittenRows.WriteSourceAsync(connection, sourceId, row.SourceColumns);
            await HandWrittenRows.InsertItemAsync(connection, sourceId, "k", row.ItemColumns, Now);
            return Assert.Single(await _temp.Publishing.GetItemsAsync([sourceId], ItemCursor.Newest, 10, CancellationToken.None));
        }).GetAwaiter().GetResult();

        StoredItemInvariants.Hold(item, Now);
        var page = new SectionPage(World, ItemCursor.Newest, [new SectionEntry(item, [])], null, null);
        foreach (var format in Enum.GetValues<OutputFormat>())
        {
            var rendered = SectionFeedWriter.Render(page, format, Links, hub: null);
            Assert.Empty(rendered.LeftOut);
            // Parsed strictly on the way: the XML reader checks characters, the JSON parser the syntax.
            var urls = format == OutputFormat.Json ? PublishedUrls.InJson(rendered.Body) : PublishedUrls.InXml(rendered.Body);
            Assert.All(urls, url => Assert.True(url.IsSafe, $"{format} links to {url}"));
        }
    }

    // The guard's fast paths (a vectorized look for what SafeText removes) give exactly what SafeText gives.
    [Property(Arbitrary = [typeof(HostileRows)], MaxTest = 300)]
    public void TheFastPathsAgreeWithSafeText(HostileText text, int maxLength)
    {
        var max = Math.Abs(maxLength % 100) + 8;

        Assert.Equal(SafeText.CleanOrNull(text.Value), StoredItemGuard.Clean(text.Value));
        Assert.Equal(SafeText.Line(text.Value, max), StoredItemGuard.Line(text.Value, max));
    }

    /// <summary>Any text a column might hold, or null.</summary>
    public sealed record HostileText(string? Value)
    {
        public override string ToString() => Value is null ? "NULL" : JsonSerializer.Serialize(Value.Length > 200 ? Value[..200] : Value);
    }

    /// <summary>The columns of one hand-written source and item row.</summary>
    public sealed record HostileRow(Dictionary<string, object?> SourceColumns, Dictionary<string, object?> ItemColumns)
    {
        // FsCheck prints a failing case: keep it short enough to read.
        public override string ToString() => string.Join(", ", SourceColumns.Concat(ItemColumns).Select(c => $"{c.Key}={Show(c.Value)}"));

        private static string Show(object? value) => value switch
        {
            string text => JsonSerializer.Serialize(text.Length > 120 ? text[..120] + $"…({text.Length} chars)" : text),
            null => "NULL",
            _ => value.ToString()!,
        };
    }

    public static class HostileRows
    {
        // Pieces hostile rows are made of: markup, schemes, references, controls, lone surrogates, URL shapes.
        private static readonly string[] Pieces =
        [
            "javascript:alert(1)", "JaVaScRiPt:x", "<script>alert(1)</script>", "</title>", "<svg onload=alert(1)>", "<b>", "&lt;script&gt;",
            "&amp;", "&#1;", "&#x0;", "&nbsp;", "\u0000", "\u0001", "\u001B", "\u007F", "\u0085", "\uD800", "\uDC00", "\uFFFE", "\uD83D\uDCF0",
            "https://example.com/a", "http://example.com/b?q=1#f", "/relative", "img.png", "mailto:a@example.com", "data:text/html,x",
            "//example.com/c", " ", "\n", "\t", "é", "\"", "'", ">", "<", "@", "[", "{",
        ];

        private static Gen<string> AnyChars =>
            Gen.ArrayOf(Gen.Choose(0, 0xFFFF).Select(c => (char)c)).Select(chars => new string(chars));

        private static Gen<string> PiecesJoined => Gen.ArrayOf(Gen.Elements(Pieces)).Select(string.Concat);

        private static Gen<string> Huge =>
            Gen.Zip(Gen.Elements(Pieces), Gen.Choose(100_000, 2_000_000)).Select(t => string.Concat(Enumerable.Repeat(t.Item1 + "x ", t.Item2 / (t.Item1.Length + 2))));

        private static Gen<string?> Short => Gen.Frequency<string?>(
            (6, AnyChars.Select(s => (string?)s)),
            (6, PiecesJoined.Select(s => (string?)s)),
            (2, Gen.Constant<string?>(null)));

        // Megabytes now and then, in the columns themselves; list entries stay short, or a list column would be hundreds.
        private static Gen<string?> Text => Gen.Frequency<string?>((14, Short), (1, Huge.Select(s => (string?)s)));

        private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

        private static Gen<Dictionary<string, object?>> Entry =>
            Gen.Zip(Short, Gen.Zip(Short, Short)).Select(t => new Dictionary<string, object?>
            {
                ["Name"] = t.Item1, ["Email"] = t.Item2.Item1, ["Uri"] = t.Item2.Item2, ["Url"] = t.Item2.Item2, ["Type"] = t.Item1, ["Length"] = -1,
            });

        // Well-formed JSON around hostile values, or any text at all.
        private static Gen<string?> JsonColumn => Gen.Frequency<string?>(
            (3, Gen.ArrayOf(Entry).Select(list => (string?)JsonSerializer.Serialize(list, Relaxed))),
            (2, Gen.ArrayOf(Short).Select(list => (string?)JsonSerializer.Serialize(list, Relaxed))),
            (2, Text));

        private static Gen<long> Time => Gen.Frequency<long>(
            (3, Gen.Elements(long.MinValue, long.MaxValue, -1L, 0L, DateTimeOffset.MinValue.ToUnixTimeMilliseconds(), DateTimeOffset.MaxValue.ToUnixTimeMilliseconds(),
                Now.ToUnixTimeMilliseconds(), Now.AddDays(1).ToUnixTimeMilliseconds(), Now.AddDays(1).ToUnixTimeMilliseconds() + 1,
                new DateTimeOffset(3000, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds())),
            (3, Gen.Choose(int.MinValue, int.MaxValue).Select(i => (long)i * 4_294_967_296L)),
            (3, Gen.Choose(-10_000_000, 10_000_000).Select(minutes => Now.AddMinutes(minutes).ToUnixTimeMilliseconds())));

        public static Arbitrary<HostileText> Texts() => Text.Select(text => new HostileText(text)).ToArbitrary();

        public static Arbitrary<HostileRow> Rows() =>
            Gen.Zip(Gen.ArrayOf(Text, 10), Gen.Zip(Gen.ArrayOf(JsonColumn, 3), Gen.ArrayOf(Time, 5))).Select(t =>
            {
                var (texts, (json, times)) = t;
                return new HostileRow(
                    new Dictionary<string, object?> { ["feed_title"] = texts[0], ["feed_link"] = texts[1], ["feed_language"] = texts[2] },
                    new Dictionary<string, object?>
                    {
                        ["title"] = texts[3] ?? "",
                        ["link"] = texts[4],
                        ["summary_html"] = texts[5],
                        ["summary_text"] = texts[6],
                        ["content_html"] = texts[7],
                        ["image_url"] = texts[8],
                        ["guid"] = texts[9],
                        ["authors_json"] = json[0] ?? "",
                        ["categories_json"] = json[1] ?? "",
                        ["enclosures_json"] = json[2] ?? "",
                        ["published_at"] = times[0],
                        ["updated_at"] = times[1],
                        ["first_seen_at"] = times[2],
                        ["last_changed_at"] = times[3],
                        ["reading_minutes"] = times[4],
                    });
            }).ToArbitrary();
    }
}
