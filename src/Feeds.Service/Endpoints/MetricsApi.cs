using Feeds.Core.Metrics;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Feeds.Service.Endpoints;

/// <summary>
/// <c>/metrics</c>: the Feeds meter, HTTP serving and the HTTP client in Prometheus text, through OpenTelemetry's
/// Prometheus exporter (counters as <c>feeds_polls_total</c>, histograms with buckets, ...). For operators only
/// (<see cref="OperatorAccess"/>): a scraper runs on an allowed network or sends the operator token.
/// </summary>
internal static class MetricsApi
{
    public static IServiceCollection AddFeedsMetrics(this IServiceCollection services)
    {
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("feeds"))
            .WithMetrics(metrics => metrics
            // What an operator of Feeds reads, not every meter the runtime happens to publish.
            .AddMeter(FeedsMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http")
            .AddPrometheusExporter());
        return services;
    }

    public static IEndpointRouteBuilder MapFeedsMetrics(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics").RequireOperator();
        return app;
    }
}
