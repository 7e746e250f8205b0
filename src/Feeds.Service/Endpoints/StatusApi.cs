using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Feeds.Core.Publishing;
using Feeds.Core.Sources;
using Feeds.Core.Status;
using Feeds.Core.Storage;

namespace Feeds.Service.Endpoints;

/// <summary>
/// <c>/status</c>: the sources' health, a page of them at a time, filtered by state, section and text, as HTML for people
/// and JSON for tools (<c>Accept: application/json</c>); <c>/status/summary</c>: the counts alone, for monitors. Every
/// answer is sliced from one <see cref="StatusSnapshot"/> built once per change, so it costs its page, not the catalogue,
/// and a page is kept rendered until the next snapshot (<see cref="CachedStatusPages"/>). Both are for operators only
/// (<see cref="OperatorAccess"/>).
/// </summary>
/// <remarks>
/// Pages are numbered (<c>?page=N</c>) rather than keyed by a cursor: a person wants "page 3 of 40" and links to jump, and
/// the list's order (health, then id) only changes when a source's health does, which a walk over a few seconds rarely
/// meets; <c>generatedAt</c> on every page tells a tool when the snapshot under it changed. A page is sent
/// <c>private, no-cache</c> with a strong ETag: the operator's client keeps it and asks again with <c>If-None-Match</c>
/// (a 304 while the snapshot stands), and no shared cache keeps it. The summary is <c>no-store</c>: it is read live.
/// </remarks>
internal static class StatusApi
{
    /// <summary>The content type of the JSON answers.</summary>
    public const string JsonContentType = "application/json; charset=utf-8";

    /// <summary>How the JSON answers are written: camelCase, states in kebab-case (<c>never-polled</c>).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public static IEndpointRouteBuilder MapStatus(this IEndpointRouteBuilder app)
    {
        app.MapGet("/status", GetStatusAsync).WithRenderFaultWall().RequireOperator();
        app.MapGet("/status/summary", GetSummaryAsync).WithRenderFaultWall().RequireOperator();
        return app;
    }

    private static async Task<IResult> GetStatusAsync(HttpContext context, FeedsConfigMonitor configs, CachedStatusPages pages,
        CancellationToken cancellationToken)
    {
        var config = configs.Current;
        var (filter, page, problem) = ReadQuery(context.Request.Query, config);
        if (filter is null)
        {
            context.Response.Headers.CacheControl = "no-store";
            return TypedResults.Problem(title: "Not a status query", detail: problem, statusCode: StatusCodes.Status400BadRequest);
        }
        if (context.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)))
            return RenderedDocumentResults.ServePrivate(context, await pages.JsonAsync(config, filter, page, cancellationToken));
        // The filter form submits to this service.
        return HtmlPage.ServePrivate(context, await pages.HtmlAsync(config, filter, page, cancellationToken), hasForm: true);
    }

    private static async Task<IResult> GetSummaryAsync(HttpContext context, StatusViews views, FeedsConfigMonitor configs, IPollStore polls,
        RenderFaults renderFaults, CancellationToken cancellationToken)
    {
        context.Response.Headers.CacheControl = "no-store";
        var summary = (await views.GetAsync(cancellationToken)).Summary;
        // The faults are read live: they are what a monitor polls this for, and cost nothing to read.
        var rejected = configs.Rejected;
        return TypedResults.Bytes(JsonSerializer.SerializeToUtf8Bytes(new
        {
            summary.GeneratedAt,
            summary.Sources,
            summary.ByState,
            summary.FailingByCategory,
            RejectedConfig = rejected is null ? null : new { rejected.At, Problems = rejected.Problems.Count },
            StoreWriteFault = polls.WriteFault,
            RenderFault = renderFaults.Recent,
        }, Json), JsonContentType);
    }

    /// <summary>
    /// The filter and page a query asks for, or what is wrong with it: <c>state</c> (a <see cref="SourceHealth"/>),
    /// <c>section</c> (a configured section id), <c>q</c> (text in the id, title or URL), <c>page</c> (from 1).
    /// </summary>
    private static (StatusFilter? Filter, int Page, string? Problem) ReadQuery(IQueryCollection query, FeedsConfig config)
    {
        SourceHealth? state = null;
        if (query["state"].ToString() is { Length: > 0 } stateText)
        {
            if (!StatusFilter.TryParseState(stateText, out var parsed))
                return (null, 0, $"state must be one of {string.Join(", ", Enum.GetValues<SourceHealth>().Select(StatusFilter.Name))}");
            state = parsed;
        }
        var section = query["section"].ToString() is { Length: > 0 } sectionText ? sectionText : null;
        if (section is not null && !config.Sections.Any(s => s.Id == section))
            return (null, 0, $"no section \"{section}\"; sections: {string.Join(", ", config.Sections.Select(s => s.Id))}");
        var text = query["q"].ToString().Trim();
        if (text.Length > StatusFilter.MaxTextLength)
            return (null, 0, $"q is at most {StatusFilter.MaxTextLength} characters");
        var page = 1;
        if (query["page"].ToString() is { Length: > 0 } pageText
            && (!int.TryParse(pageText, NumberStyles.None, CultureInfo.InvariantCulture, out page) || page < 1))
            return (null, 0, "page must be a whole number from 1");
        return (new StatusFilter(state, section, text.Length > 0 ? text : null), page, null);
    }
}
