using System.Text;
using Feeds.Core.Publishing;
using Feeds.Core.Sources;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Feeds.Service.Endpoints;

/// <summary>
/// A page for people: a Razor component (<c>Pages/</c>, drawn in <c>PageLayout</c>) rendered to a finished body, sent
/// with the security headers every page gets. Razor encodes every value it writes; no page builds HTML from strings.
/// </summary>
/// <remarks>
/// Rendered here, before the endpoint returns, with <see cref="HtmlRenderer"/> rather than by a <c>RazorComponentResult</c>:
/// a result renders after the endpoint's filters have returned, so a page that fails would escape
/// <see cref="RenderFaultWall"/> (not counted, not reported, a 200 cut short) instead of being answered 500 and shown
/// on <c>/healthz</c>. One renderer a page, so pages render in parallel rather than queued on one dispatcher.
/// </remarks>
internal static class HtmlPage
{
    public const string ContentType = "text/html; charset=utf-8";

    // Item HTML is sanitized on ingest; the policy is a second wall: no script at all, images from anywhere, and the
    // layout's inline stylesheet. A page with a form (the status filters) may submit it to this service only.
    private const string ContentSecurityPolicy = "default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private const string ContentSecurityPolicyWithForms = "default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Renders <typeparamref name="TPage"/> for this request alone, not kept (the search form, or why a search cannot be run).</summary>
    /// <param name="hasForm">The page submits a form (GET, to this service): the policy allows that and nothing more.</param>
    /// <param name="statusCode">200, or the error the page explains (a 400 for a query that cannot be run).</param>
    public static async Task<ContentHttpResult> RenderAsync<TPage>(HttpContext context, IDictionary<string, object?> parameters, bool hasForm = false,
        int statusCode = StatusCodes.Status200OK) where TPage : IComponent
    {
        var html = await RenderHtmlAsync<TPage>(context.RequestServices, parameters);
        AddSecurityHeaders(context.Response, hasForm);
        return TypedResults.Content(html, ContentType, statusCode: statusCode);
    }

    /// <summary>Sends a page of the <see cref="RenderCache"/> with its validators, as the feeds are sent, and the page's security headers.</summary>
    /// <param name="hasForm">The page submits a form (the search box): the policy allows that and nothing more.</param>
    public static IResult Serve(HttpContext context, RenderedDocument page, FeedsConfig config, bool hasForm = false)
    {
        AddSecurityHeaders(context.Response, hasForm);
        return RenderedDocumentResults.Serve(context, page, config.Publishing.MaxAge);
    }

    /// <summary>Sends an operator page of a <see cref="RenderCache"/> with its validators, to the client alone (<see cref="RenderedDocumentResults.ServePrivate"/>), and the page's security headers.</summary>
    /// <param name="hasForm">The page submits a form (the status filters): the policy allows that and nothing more.</param>
    public static IResult ServePrivate(HttpContext context, RenderedDocument page, bool hasForm = false)
    {
        AddSecurityHeaders(context.Response, hasForm);
        return RenderedDocumentResults.ServePrivate(context, page);
    }

    /// <summary>Renders <typeparamref name="TPage"/> with <paramref name="parameters"/> (by the page's property names) to UTF-8 bytes.</summary>
    /// <param name="services">Where the components' services come from: the application's own for a cached page, whose render may outlive the request that started it.</param>
    public static async Task<byte[]> RenderBytesAsync<TPage>(IServiceProvider services, IDictionary<string, object?> parameters) where TPage : IComponent =>
        Encoding.UTF8.GetBytes(await RenderHtmlAsync<TPage>(services, parameters));

    private static async Task<string> RenderHtmlAsync<TPage>(IServiceProvider services, IDictionary<string, object?> parameters) where TPage : IComponent
    {
        await using var renderer = new HtmlRenderer(services, services.GetRequiredService<ILoggerFactory>());
        return await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<TPage>(ParameterView.FromDictionary(parameters))).ToHtmlString());
    }

    private static void AddSecurityHeaders(HttpResponse response, bool hasForm)
    {
        response.Headers.ContentSecurityPolicy = hasForm ? ContentSecurityPolicyWithForms : ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
    }
}
