using Feeds.Core.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Feeds.Service.Endpoints;

/// <summary><c>/healthz</c>: 200 while the store answers and can write, 503 when it does not.</summary>
internal static class HealthApi
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", GetHealthAsync);
        return app;
    }

    private static async Task<Results<Ok<string>, ProblemHttpResult>> GetHealthAsync(IFeedStore store, CancellationToken cancellationToken)
    {
        if (!await store.IsHealthyAsync(cancellationToken))
            return TypedResults.Problem("the store does not answer", statusCode: StatusCodes.Status503ServiceUnavailable);
        // Reads work but saves fail (a full disk, a read-only file): the feeds are served, nothing new is stored.
        if (store.WriteFault is { } fault)
            return TypedResults.Problem($"the store cannot write since {fault.Since:u}: {fault.Reason}", statusCode: StatusCodes.Status503ServiceUnavailable);
        return TypedResults.Ok("ok");
    }
}
