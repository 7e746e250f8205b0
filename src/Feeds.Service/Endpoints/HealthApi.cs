using Feeds.Core.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Feeds.Service.Endpoints;

/// <summary><c>/healthz</c>: 200 while the store answers, 503 when it does not.</summary>
internal static class HealthApi
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", GetHealthAsync);
        return app;
    }

    private static async Task<Results<Ok<string>, ProblemHttpResult>> GetHealthAsync(IFeedStore store, CancellationToken cancellationToken) =>
        await store.IsHealthyAsync(cancellationToken)
            ? TypedResults.Ok("ok")
            : TypedResults.Problem("the store does not answer", statusCode: StatusCodes.Status503ServiceUnavailable);
}
