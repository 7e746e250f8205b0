using Feeds.Core.Publishing;

namespace Feeds.Service.Endpoints;

/// <summary>
/// The wall around a whole page: an exception while building it (a bug: stored rows are repaired before any page
/// sees them, and a row a writer still refuses is left out) is reported to <see cref="RenderFaults"/>, so
/// <c>/healthz</c> says the service is degraded and the log says why, once.
/// </summary>
/// <remarks>
/// A filter sees only what the handler does, not the writing of its result: the pages it guards build their bodies
/// (HTML, feed bytes, status JSON) in the handler and hand a finished body to the result.
/// </remarks>
internal static class RenderFaultWall
{
    public static TBuilder WithRenderFaultWall<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context);
            }
            catch (Exception e) when (!context.HttpContext.RequestAborted.IsCancellationRequested)
            {
                var request = context.HttpContext.Request;
                context.HttpContext.RequestServices.GetRequiredService<RenderFaults>().NotePageFailed(request.Path + request.QueryString, e);
                return TypedResults.Text("This page cannot be rendered right now. The service has logged why, and /healthz reports it.\n",
                    "text/plain; charset=utf-8", statusCode: StatusCodes.Status500InternalServerError);
            }
        });
}
