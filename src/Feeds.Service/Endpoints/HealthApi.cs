using System.Text.Json;
using Feeds.Core.Storage;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Feeds.Service.Endpoints;

/// <summary>
/// <c>/healthz</c> is readiness: 200 while every check passes (the store answers and can write), 503 otherwise,
/// with the reason. <c>/healthz/live</c> is liveness: 200 while the process serves HTTP at all.
/// </summary>
internal static class HealthApi
{
    public static IServiceCollection AddFeedsHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<StoreHealthCheck>("store");
        return services;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { ResponseWriter = WriteAsync });
        app.MapHealthChecks("/healthz/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        return app;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), e.Value.Description }),
        }));
    }

    private sealed class StoreHealthCheck(IFeedStore store) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (!await store.IsHealthyAsync(cancellationToken))
                return HealthCheckResult.Unhealthy("the database does not answer");
            // Reads work but saves fail (a full disk, a read-only file): the feeds are served, nothing new is stored.
            if (store.WriteFault is { } fault)
                return HealthCheckResult.Unhealthy($"the store cannot write since {fault.Since:u}: {fault.Reason}");
            return HealthCheckResult.Healthy("the database answers and can be written");
        }
    }
}
