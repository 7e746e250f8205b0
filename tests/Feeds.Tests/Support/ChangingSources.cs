using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Feeds.Tests.Support;

/// <summary>
/// Loopback sources whose every item is known: at version <c>v</c> a source publishes items
/// <c>1 … v × itemsPerVersion</c>, all of them in its feed, newest first, with an ETag and a Last-Modified
/// that name the version. A test advances versions while the service ingests and then checks what was stored
/// against what was published, and the stored validators against the stored items.
/// </summary>
public sealed class ChangingSources
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly int[] _versions;
    private readonly int _itemsPerVersion;
    private readonly string _padding;

    /// <param name="contentBytes">Filler text in each item, to make polls write more pages.</param>
    public ChangingSources(LoopbackSourceServer server, int count, int itemsPerVersion = 3, int contentBytes = 200)
    {
        _versions = Enumerable.Repeat(1, count).ToArray();
        _itemsPerVersion = itemsPerVersion;
        _padding = new string('x', contentBytes);
        Urls = Enumerable.Range(0, count).Select(index => server.Handle($"/changing/{IdOf(index)}.rss", context => ServeAsync(index, context))).ToList();
    }

    public int Count => _versions.Length;

    public IReadOnlyList<Uri> Urls { get; }

    public static string IdOf(int index) => $"s{index:D3}";

    /// <summary>Source entries for a test config, all in <paramref name="section"/>.</summary>
    public object[] ConfigEntries(string section) =>
        Enumerable.Range(0, Count).Select(i => (object)new { id = IdOf(i), url = Urls[i].AbsoluteUri, sections = new[] { section } }).ToArray();

    public int VersionOf(int index) => Volatile.Read(ref _versions[index]);

    /// <summary>Publishes the next version of one source: <c>itemsPerVersion</c> new items.</summary>
    public void Advance(int index) => Interlocked.Increment(ref _versions[index]);

    public void AdvanceAll()
    {
        for (var index = 0; index < Count; index++)
            Advance(index);
    }

    public static string ETagOf(int index, int version) => $"\"{IdOf(index)}-v{version}\"";

    /// <summary>The version an ETag of ours names, or null.</summary>
    public static int? VersionOfETag(string? etag) =>
        etag is not null && etag.LastIndexOf("-v", StringComparison.Ordinal) is var at and > 0
        && int.TryParse(etag.AsSpan(at + 2).TrimEnd('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : null;

    public static string LastModifiedOf(int version) => (Epoch + TimeSpan.FromMinutes(version)).ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The guids of the items published up to <paramref name="version"/>.</summary>
    public IEnumerable<string> GuidsUpTo(int index, int version) =>
        Enumerable.Range(1, version * _itemsPerVersion).Select(item => GuidOf(index, item));

    public IEnumerable<string> PublishedGuids(int index) => GuidsUpTo(index, VersionOf(index));

    public int PublishedItemCount => Enumerable.Range(0, Count).Sum(i => VersionOf(i) * _itemsPerVersion);

    public static string GuidOf(int index, int item) => $"urn:feeds-test:{IdOf(index)}:{item}";

    private async Task ServeAsync(int index, HttpContext context)
    {
        var version = VersionOf(index);
        var etag = ETagOf(index, version);
        context.Response.Headers.ETag = etag;
        context.Response.Headers.LastModified = LastModifiedOf(version);
        if (context.Request.Headers.IfNoneMatch.ToString() == etag)
        {
            context.Response.StatusCode = (int)HttpStatusCode.NotModified;
            return;
        }
        context.Response.ContentType = "application/rss+xml";
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(Rss(index, version)), context.RequestAborted);
    }

    private static readonly string[] Beat = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima"];

    /// <summary>
    /// Words of one source's own in each of its items' text: without them two sources' items would share nearly every
    /// term ("Story 3 from s001", "Story 3 from s002") and be placed in one story (Normalization/SameStory), where the
    /// tests that use these sources count each item.
    /// </summary>
    private static string OwnWords(int index)
    {
        var prefix = string.Concat(index.ToString("D3", CultureInfo.InvariantCulture).Select(digit => (char)('k' + digit - '0')));
        return string.Join(' ', Beat.Select(word => prefix + word));
    }

    private string Rss(int index, int version)
    {
        var id = IdOf(index);
        var rss = new StringBuilder($"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>Source {id}</title><link>http://example.com/{id}/</link><description>changing</description>");
        for (var item = version * _itemsPerVersion; item >= 1; item--)
        {
            var published = (Epoch + TimeSpan.FromMinutes(item) + TimeSpan.FromSeconds(index)).ToString("R", CultureInfo.InvariantCulture);
            rss.Append(CultureInfo.InvariantCulture,
                $"<item><title>Story {item} from {id}</title><link>http://example.com/{id}/{item}</link><guid isPermaLink=\"false\">{GuidOf(index, item)}</guid><pubDate>{published}</pubDate><description>Item {item} of {id}: {OwnWords(index)}. {_padding}</description></item>");
        }
        return rss.Append("</channel></rss>").ToString();
    }
}
