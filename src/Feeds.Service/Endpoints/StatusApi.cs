using System.Text.Json;
using Feeds.Core.Sources;
using Feeds.Core.Status;
using Feeds.Service.Pages;

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
        return await HtmlPage.RenderAsync<StatusPage>(context, new Dictionary<string, object?> { [nameof(StatusPage.Report)] = report });
    }
}
