using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Feeds.Core.Sources;
using Feeds.Core.Status;

namespace Feeds.Service.Endpoints;

/// <summary><c>/status</c>: every source's health and every section's content, as HTML for people and JSON for tools (<c>Accept: application/json</c>).</summary>
internal static class StatusApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static IEndpointRouteBuilder MapStatus(this IEndpointRouteBuilder app)
    {
        app.MapGet("/status", GetStatusAsync).WithRenderFaultWall();
        return app;
    }

    private static async Task<IResult> GetStatusAsync(HttpContext context, FeedsConfigMonitor configs, StatusReporter reporter, CancellationToken cancellationToken)
    {
        var report = await reporter.BuildAsync(configs, cancellationToken);
        context.Response.Headers.CacheControl = "no-store";
        // Serialized here rather than by the result, so a failure is inside the page's wall (RenderFaultWall).
        if (context.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)))
            return TypedResults.Bytes(JsonSerializer.SerializeToUtf8Bytes(report, Json), "application/json; charset=utf-8");
        return PagesApi.Page(context, "Status — Feeds", "", Html(report));
    }

    private static string Html(StatusReport report)
    {
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<header><p><a href=\"/\">Feeds</a></p><h1>Status</h1><p class=\"muted\">{Time(report.GeneratedAt)}</p></header><main>");
        if (report.RejectedConfig is { } rejected)
        {
            html.Append(CultureInfo.InvariantCulture, $"<section class=\"card alarm\"><h2>The last config edit was not applied</h2><p>Seen {Time(rejected.At)}; the service runs on the last good config. Fix these and save again:</p><ul>");
            foreach (var problem in rejected.Problems)
                html.Append(CultureInfo.InvariantCulture, $"<li><code>{Text(problem.Path)}</code> {Text(problem.Message)}</li>");
            html.Append("</ul></section>");
        }
        var failing = report.Sources.Count(s => s.ConsecutiveFailures > 0);
        var silent = report.Sources.Count(s => s.Silent);
        html.Append(CultureInfo.InvariantCulture, $"<p>{report.Sources.Count} sources, {failing} failing, {silent} silent.</p>");
        html.Append("<section class=\"card\"><h2>Sources</h2><div class=\"scroll\"><table><tr><th>Source</th><th>Last poll</th><th>Outcome</th><th>Next due</th><th>Items</th><th>Last new item</th></tr>");
        foreach (var source in report.Sources)
        {
            var outcome = source.ErrorCategory is { } category
                ? $"<span class=\"bad\">{Text(category)}{(source.HttpStatus is { } status ? $" ({status})" : "")}</span> ×{source.ConsecutiveFailures}<br><small>{Text(source.LastError ?? "")}</small>"
                : Text(source.LastOutcome ?? "not polled yet");
            if (source.GoneSince is { } gone)
                outcome += $"<br><span class=\"bad\">gone since {Time(gone)}</span>";
            if (source.MovedTo is { } moved)
                outcome += $"<br><small>moved to {Text(moved)}</small>";
            var lastNew = Time(source.LastNewItemAt) + (source.Silent ? " <span class=\"bad\">silent</span>" : "");
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td><strong>{Text(source.Id)}</strong><br><small>{Text(source.Url)}</small></td><td>{Time(source.LastAttemptAt)}</td><td>{outcome}</td><td>{Time(source.RetryNotBefore ?? source.NextDueAt)}</td><td>{source.ItemsStored}{(source.ItemsLeftOut > 0 ? $"<br><small class=\"bad\">{source.ItemsLeftOut} over the item limit left out</small>" : "")}</td><td>{lastNew}</td></tr>");
        }
        html.Append("</table></div></section><section class=\"card\"><h2>Sections</h2><table><tr><th>Section</th><th>Sources</th><th>Items</th><th>Last update</th></tr>");
        foreach (var section in report.Sections)
            html.Append(CultureInfo.InvariantCulture, $"<tr><td><a href=\"/sections/{Text(section.Id)}\">{Text(section.Title)}</a></td><td>{section.Sources}</td><td>{section.Items}</td><td>{Time(section.LastUpdate)}</td></tr>");
        html.Append("</table></section></main>");
        return html.ToString();
    }

    private static string Time(DateTimeOffset? time) =>
        time is { } t ? $"<time datetime=\"{t.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}\">{t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)}</time>" : "—";

    private static string Text(string value) => HtmlEncoder.Default.Encode(value);
}
