using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Feeds.Service.Endpoints;

/// <summary>
/// A page for people: a Razor component (<c>Pages/</c>, drawn in <c>PageLayout</c>) rendered to a finished body, sent
/// with the security headers every page gets. Razor encodes every value it writes; no page builds HTML from strings.
/// </summary>
/// <remarks>
/// Rendered here, inside the handler, with <see cref="HtmlRenderer"/> rather than by a <c>RazorComponentResult</c>: a
/// result renders after the endpoint's filters have returned, so a page that fails would escape
/// <see cref="RenderFaultWall"/> (not counted, not reported, a 200 cut short) instead of being answered 500 and shown
/// on <c>/healthz</c>. One renderer a request, so pages render in parallel rather than queued on one dispatcher.
/// </remarks>
internal static class HtmlPage
{
    // Item HTML is sanitized on ingest; the policy is a second wall: no script at all, images from anywhere, and the
    // layout's inline stylesheet.
    private const string ContentSecurityPolicy = "default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>Renders <typeparamref name="TPage"/> with <paramref name="parameters"/> (by the page's property names).</summary>
    public static async Task<ContentHttpResult> RenderAsync<TPage>(HttpContext context, IDictionary<string, object?> parameters) where TPage : IComponent
    {
        var services = context.RequestServices;
        await using var renderer = new HtmlRenderer(services, services.GetRequiredService<ILoggerFactory>());
        var html = await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<TPage>(ParameterView.FromDictionary(parameters))).ToHtmlString());
        context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        return TypedResults.Content(html, "text/html; charset=utf-8");
    }
}
