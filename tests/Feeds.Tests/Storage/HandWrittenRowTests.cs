using Feeds.Core.Normalization;
using Feeds.Core.Storage;
using Feeds.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Feeds.Tests.Storage;

/// <summary>Rows the store did not write through normalization (an older version, an editor) are read as items pages can trust.</summary>
public sealed class HandWrittenRowTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Now);
    private TempStore _temp = null!;

    public async Task InitializeAsync()
    {
        _temp = await TempStore.CreateAsync(_clock);
        await using var connection = await HandWrittenRows.OpenAsync(_temp.DatabasePath);
        await HandWrittenRows.WriteSourceAsync(connection, "wire", new Dictionary<string, object?>
        {
            ["feed_title"] = "<i>Wire</i>\u0000 &amp; more",
            ["feed_link"] = "javascript:alert(5)",
            ["feed_language"] = "en\"><script>",
            ["last_attempt_at"] = long.MaxValue,
            ["next_due_at"] = long.MinValue,
            ["last_error"] = "boom\u0000\u001B[31m",
        });
        foreach (var (key, columns) in HandWrittenRows.Hostile())
            await HandWrittenRows.InsertItemAsync(connection, "wire", key, columns, Now);
    }

    public Task DisposeAsync()
    {
        _temp.Dispose();
        return Task.CompletedTask;
    }

    private Task<IReadOnlyList<StoredItem>> AllAsync() => _temp.Publishing.GetItemsAsync(["wire"], ItemCursor.Newest, 1000, CancellationToken.None);

    private static StoredItem Find(IEnumerable<StoredItem> items, string key) => items.Single(i => i.ItemKey == key);

    [Fact]
    public async Task EveryHostileRowReadsAsAnItemThatKeepsTheInvariants()
    {
        var items = await AllAsync();

        Assert.Equal(HandWrittenRows.Hostile().Count(), items.Count);
        Assert.All(items, item => StoredItemInvariants.Hold(item, Now));
    }

    [Fact]
    public async Task DatesOutsideTheWindowAreTheFirstSeenTimeMarkedEstimated()
    {
        var items = await AllAsync();

        foreach (var key in new[] { "year-1", "year-1800", "year-3000", "year-9999" })
        {
            Assert.Equal(Now.AddHours(-1), Find(items, key).PublishedAt);
            Assert.True(Find(items, key).DateIsEstimated);
        }
        Assert.Equal(DateTimeOffset.UnixEpoch, Find(items, "beyond-time").PublishedAt);
        Assert.False(Find(items, "controls").DateIsEstimated);
    }

    [Fact]
    public async Task TextIsCleanPlainAndBounded()
    {
        var items = await AllAsync();

        // SQLite holds UTF-8: a lone surrogate bound as text arrives as U+FFFD, which XML allows.
        Assert.Equal("Nul bell del c1 lone \uFFFD high \uFFFD low", Find(items, "controls").Title);
        Assert.Equal(["World"], Find(items, "controls").Categories.Take(1));
        Assert.Equal("Jane Doe", Find(items, "controls").Authors.Single().Name);
        Assert.Equal("Bold headline", Find(items, "markup-title").Title);
        Assert.Equal(SafeText.MaxTitleLength, Find(items, "huge-title").Title.Length);
        Assert.Equal("Untitled", Find(items, "nulls").Title);
        Assert.StartsWith("Bad", Find(items, "invalid-utf8").Title);
        Assert.Equal("Wire & more", Find(items, "controls").SourceTitle);
        Assert.Null(Find(items, "controls").SourceLanguage);
    }

    [Fact]
    public async Task UrlsThatAreNotAbsoluteHttpAreDropped()
    {
        var items = await AllAsync();
        var bad = Find(items, "bad-urls");
        var relative = Find(items, "relative-urls");

        Assert.Null(bad.Link);
        Assert.Null(bad.ImageUrl);
        // The people stay; only their unsafe links go.
        Assert.Equal(new (string?, string?)[] { ("Mallory", null), ("Eve", null) }, bad.Authors.Select(author => (author.Name, author.Uri)));
        Assert.Equal([new Enclosure("https://example.com/ok.mp3", null, null)], bad.Enclosures);
        Assert.Null(relative.Link);
        Assert.Null(relative.ImageUrl);
        Assert.Null(bad.SourceLink);
    }

    [Fact]
    public async Task MalformedListColumnsReadAsEmpty()
    {
        var item = Find(await AllAsync(), "malformed-json");

        Assert.Empty(item.Authors);
        Assert.Empty(item.Categories);
        Assert.Empty(item.Enclosures);
    }

    [Fact]
    public async Task PagingOverRowsWithImpossibleDatesVisitsEachOnce()
    {
        var seen = new List<string>();
        var cursor = ItemCursor.Newest;
        while (true)
        {
            var page = await _temp.Publishing.GetItemsAsync(["wire"], cursor, 2, CancellationToken.None);
            if (page.Count == 0)
                break;
            seen.AddRange(page.Select(i => i.ItemKey));
            // Through the token, as a next link carries it: the stored time of a year-1 row is negative.
            Assert.True(ItemCursor.TryParse(ItemCursor.After(page[^1]).Token, PageDirection.Older, out cursor));
        }

        Assert.Equal(HandWrittenRows.Hostile().Select(h => h.Key).Order(), seen.Order());
        Assert.Equal(["beyond-time", "year-9999", "year-3000"], seen.Take(3));
    }

    [Fact]
    public async Task StatisticsAndSourceStatesReadImpossibleTimes()
    {
        var statistics = (await _temp.Status.GetItemStatisticsAsync(CancellationToken.None))["wire"];
        var state = Assert.Single(await _temp.Status.GetSourceStatesAsync(CancellationToken.None));

        Assert.InRange(statistics.Oldest, DateTimeOffset.UnixEpoch, Now.AddDays(1));
        Assert.InRange(statistics.Newest, DateTimeOffset.UnixEpoch, Now.AddDays(1));
        Assert.Equal(DateTimeOffset.MaxValue.ToUnixTimeMilliseconds(), state.LastAttemptAt!.Value.ToUnixTimeMilliseconds());
        Assert.Equal(DateTimeOffset.MinValue, state.NextDueAt);
    }
}

/// <summary>What every page and writer may assume of a <see cref="StoredItem"/>.</summary>
public static class StoredItemInvariants
{
    public static void Hold(StoredItem item, DateTimeOffset now)
    {
        string?[] texts = [item.SourceId, item.Guid, item.Title, item.Link, item.SummaryHtml, item.SummaryText, item.ContentHtml, item.ImageUrl,
            item.SourceTitle, item.SourceLink, item.SourceLanguage, item.SourceUrl,
            .. item.Categories, .. item.Authors.SelectMany(a => new[] { a.Name, a.Email, a.Uri }), .. item.Enclosures.SelectMany(e => new[] { e.Url, e.Type })];
        Assert.All(texts.OfType<string>(), text => Assert.True(SafeText.IsClean(text), $"not clean: {Escape(text)}"));
        Assert.InRange(item.Title.Length, 1, SafeText.MaxTitleLength);
        Assert.DoesNotMatch("<[A-Za-z/!?]", item.Title);
        Assert.All(item.Categories.Concat(item.Authors.Select(a => a.Name).OfType<string>()), line => Assert.InRange(line.Length, 1, SafeText.MaxLineLength));
        Assert.InRange(item.PublishedAt, DateTimeOffset.UnixEpoch, now.AddDays(1));
        Assert.InRange(item.UpdatedAt, DateTimeOffset.UnixEpoch, now.AddDays(1));
        foreach (var url in new[] { item.Link, item.ImageUrl, item.SourceLink }.Concat(item.Enclosures.Select(e => e.Url)).OfType<string>())
            Assert.True(IsHttp(url), $"not an absolute http(s) URL: {url}");
        foreach (var url in item.Authors.Select(a => a.Uri).OfType<string>())
            Assert.True(IsHttp(url) || url.StartsWith("mailto:", StringComparison.Ordinal), $"not an http(s) or mailto URL: {url}");
        Assert.InRange(item.Authors.Count + 0, 0, StoredItemGuard.MaxListEntries);
        Assert.InRange(item.Categories.Count, 0, StoredItemGuard.MaxListEntries);
        Assert.InRange(item.Enclosures.Count, 0, StoredItemGuard.MaxListEntries);
        Assert.InRange(item.ReadingMinutes, 0, int.MaxValue);
    }

    private static bool IsHttp(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";

    private static string Escape(string text) =>
        string.Concat(text.Take(200).Select(c => char.IsControl(c) || char.IsSurrogate(c) ? $"\\u{(int)c:X4}" : c.ToString()));
}
