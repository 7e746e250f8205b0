using System.Text.Json;
using Feeds.Core.Publishing;
using Feeds.Core.Storage;
using Feeds.Service.Scheduling;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Feeds.Service.Endpoints;

/// <summary>
/// <c>/healthz</c> is readiness: 200 "Healthy" while every check passes, 200 "Degraded" while pages are served but one
/// had to leave a row out or failed in the last minutes (<see cref="RenderFaults"/>), 503 "Unhealthy" when the store
/// does not answer or cannot write; always with the reason. <c>/healthz/live</c> is liveness: 200 while the process
/// serves HTTP at all. The reasons (store faults, render faults, the cluster) are for operators (<see cref="OperatorAccess"/>);
/// anyone else, a load balancer included, gets the same status code and the bare status word.
/// </summary>
internal static class HealthApi
{
    public static IServiceCollection AddFeedsHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<StoreHealthCheck>("store").AddCheck<PagesHealthCheck>("pages");
        return services;
    }

    /// <summary>This node's record among a cluster's, and the health check that reads it.</summary>
    public static IServiceCollection AddClusterMembership(this IServiceCollection services)
    {
        services.AddSingleton<ClusterMembership>();
        services.AddHostedService(provider => provider.GetRequiredService<ClusterMembership>());
        services.AddHealthChecks().AddCheck<ClusterHealthCheck>("cluster");
        return services;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            ResponseWriter = WriteAsync,
            // Degraded is 200 on purpose. A load balancer or Kubernetes takes a 503 instance out of rotation; a page that
            // left one bad row out still serves every reader, and with one instance (the usual Feeds) a 503 would take all
            // the feeds down over one row — the opposite of the point. Monitoring reads "status": "Degraded" and the reason.
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status200OK,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
        app.MapHealthChecks("/healthz/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        return app;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        if (!context.RequestServices.GetRequiredService<OperatorGate>().Admits(context))
            return context.Response.WriteAsync(JsonSerializer.Serialize(new { status = report.Status.ToString() }));
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), e.Value.Description }),
        }));
    }

    private sealed class StoreHealthCheck(IStatusStore store, IPollStore polls) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (!await store.IsHealthyAsync(cancellationToken))
                return HealthCheckResult.Unhealthy("the database does not answer");
            // Reads work but saves fail (a full disk, a read-only file): the feeds are served, nothing new is stored.
            if (polls.WriteFault is { } fault)
                return HealthCheckResult.Unhealthy($"the store cannot write since {fault.Since:u}: {fault.Reason}");
            return HealthCheckResult.Healthy("the database answers and can be written");
        }
    }

    /// <summary>
    /// Unhealthy once this node has not checked in for as long as the others wait before taking its polls over: it cannot
    /// reach the database, and a load balancer should send readers elsewhere.
    /// </summary>
    private sealed class ClusterHealthCheck(ClusterMembership membership, TimeProvider clock) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var checkedIn = membership.LastCheckIn;
            return Task.FromResult(checkedIn is { } at && clock.GetUtcNow() - at < ClusterMembership.CheckedInWithin
                ? HealthCheckResult.Healthy($"checked in as node {membership.NodeId} at {at:u}")
                : HealthCheckResult.Unhealthy(checkedIn is { } last
                    ? $"node {membership.NodeId} has not checked in since {last:u}: the database is out of reach, and the other nodes take over its polls"
                    : "not checked in with the cluster yet"));
        }
    }

    private sealed class PagesHealthCheck(RenderFaults faults) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(faults.Recent is { } fault
                ? HealthCheckResult.Degraded($"a page render failed at {fault.At:u} (within the last {RenderFaults.Window.TotalMinutes:0} minutes): {fault.Description}")
                : HealthCheckResult.Healthy($"every page rendered whole in the last {RenderFaults.Window.TotalMinutes:0} minutes"));
    }
}
