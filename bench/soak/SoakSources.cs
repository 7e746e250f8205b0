using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Feeds.Bench.Soak;

/// <summary>
/// COUNT loopback RSS sources, <c>/s/sNNNN.rss</c> on 127.0.0.1:PORT. Each publishes <see cref="ItemsPerVersion"/> new items
/// every period, the sources staggered evenly over the period; its feed holds the newest <see cref="Window"/> items, with an
/// ETag and Last-Modified naming its version. Versions follow the clock, so what was published is known at any moment:
/// <c>GET /_manifest</c> gives each source's version, <c>POST /_freeze</c> stops publishing.
/// </summary>
internal static class SoakSources
{
    public const int ItemsPerVersion = 3;
    public const int Window = 30;
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static async Task<int> RunAsync(int port, int count, TimeSpan period)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var started = DateTimeOffset.UtcNow;
        DateTimeOffset? frozen = null;
        int VersionOf(int index) =>
            1 + (int)(((frozen ?? DateTimeOffset.UtcNow) - started + period * index / count) / period);

        app.MapGet("/_manifest", () => Results.Json(Enumerable.Range(0, count).Select(i => new ManifestEntry(IdOf(i), VersionOf(i), VersionOf(i) * ItemsPerVersion))));
        app.MapPost("/_freeze", () => { frozen ??= DateTimeOffset.UtcNow; return Results.Ok(); });
        app.MapGet("/s/{name}", async (string name, HttpContext context) =>
        {
            if (!name.EndsWith(".rss", StringComparison.Ordinal) || !int.TryParse(name.AsSpan(1, name.Length - 5), NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index >= count)
                return Results.NotFound();
            var version = VersionOf(index);
            var etag = $"\"{IdOf(index)}-v{version}\"";
            context.Response.Headers.ETag = etag;
            context.Response.Headers.LastModified = (Epoch + TimeSpan.FromMinutes(version)).ToString("R", CultureInfo.InvariantCulture);
            if (context.Request.Headers.IfNoneMatch == etag)
                return Results.StatusCode((int)HttpStatusCode.NotModified);
            return Results.Text(Rss(index, version, started, period, count), "application/rss+xml", Encoding.UTF8);
        });
        await app.StartAsync();
        Console.WriteLine($"serving {count} sources on http://127.0.0.1:{port}/s/, {ItemsPerVersion} new items each every {period.TotalSeconds:0} s");
        await app.WaitForShutdownAsync();
        return 0;
    }

    public static string IdOf(int index) => $"s{index:D4}";

    public static string GuidOf(string id, int item) => $"urn:soak:{id}:{item}";

    private static string Rss(int index, int version, DateTimeOffset started, TimeSpan period, int count)
    {
        var id = IdOf(index);
        var rss = new StringBuilder($"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>Soak source {id}</title><link>http://example.com/{id}/</link><description>Changes every {period.TotalSeconds:0} s</description>");
        var newest = version * ItemsPerVersion;
        for (var item = newest; item > Math.Max(0, newest - Window); item--)
        {
            // An item is dated when its version began.
            var published = started - period * index / count + period * ((item - 1) / ItemsPerVersion);
            rss.Append(CultureInfo.InvariantCulture,
                $"<item><title>Report {item} from {id}</title><link>http://example.com/{id}/{item}</link><guid isPermaLink=\"false\">{GuidOf(id, item)}</guid><pubDate>{published.ToString("R", CultureInfo.InvariantCulture)}</pubDate><description>&lt;p&gt;Report {item} of source {id}: a paragraph of text long enough to look like a teaser, with &lt;b&gt;some&lt;/b&gt; markup to clean.&lt;/p&gt;</description><category>soak</category></item>");
        }
        return rss.Append("</channel></rss>").ToString();
    }

    public sealed record ManifestEntry(string Id, int Version, int Published);

    public static async Task<IReadOnlyList<ManifestEntry>> ReadManifestAsync(Uri manifest)
    {
        using var client = new HttpClient();
        return JsonSerializer.Deserialize<List<ManifestEntry>>(await client.GetStringAsync(manifest), JsonSerializerOptions.Web)!;
    }
}
