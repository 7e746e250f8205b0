using System.Net;
using System.Security.Cryptography;
using System.Text;
using Feeds.Core.Sources;
using Microsoft.AspNetCore.HttpOverrides;

namespace Feeds.Service.Endpoints;

/// <summary>
/// Keeps the operator pages (every source URL and error, refused config problems, metrics) to operators: a client on an
/// allowed network (<c>operators.allowedNetworks</c>, loopback by default) or one that shows the operator token; everyone
/// else gets 403. The client's address is the connection's, or, from a trusted proxy only, the one it forwards.
/// </summary>
/// <remarks>
/// ASP.NET Core's forwarded-headers middleware believes <c>X-Forwarded-For</c> only from <c>KnownProxies</c> and
/// <c>KnownIPNetworks</c>, and from anyone when both are empty, so it is added only when proxies are configured, and
/// its own default (loopback) is cleared: a proxy is believed because the operator named it. A request that still carries
/// <c>X-Forwarded-For</c> or <c>Forwarded</c> (RFC 7239) after that was forwarded by someone not believed, and its real
/// client is unknown: refused. This closes the usual mistake, a reverse proxy on the same machine not named as trusted,
/// which would otherwise make every client of the world look like loopback.
/// </remarks>
internal static class OperatorAccess
{
    /// <summary>Registers the gate, and the forwarded-headers options when the config names proxies.</summary>
    public static IServiceCollection AddOperatorAccess(this IServiceCollection services, OperatorSettings atStart, string? tokenFromEnvironment)
    {
        services.AddSingleton(provider => new OperatorGate(provider.GetRequiredService<FeedsConfigMonitor>(), tokenFromEnvironment));
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in atStart.TrustedProxies)
                options.KnownIPNetworks.Add(proxy);
        });
        return services;
    }

    /// <summary>Believes the trusted proxies (if any), then refuses endpoints marked <see cref="RequireOperator{TBuilder}"/> to everyone but operators.</summary>
    public static WebApplication UseOperatorAccess(this WebApplication app, OperatorSettings atStart)
    {
        if (atStart.TrustedProxies.Count > 0)
            app.UseForwardedHeaders();
        app.Use(async (context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<OperatorOnly>() is not null
                && !context.RequestServices.GetRequiredService<OperatorGate>().Admits(context, out var reason))
            {
                context.Response.Headers.CacheControl = "no-store";
                await TypedResults.Problem(title: "Operators only", detail: reason, statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(context);
                return;
            }
            await next(context);
        });
        return app;
    }

    /// <summary>Serves the endpoint to operators only.</summary>
    public static TBuilder RequireOperator<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(OperatorOnly.Instance);

    /// <summary>The mark on an operator endpoint.</summary>
    private sealed class OperatorOnly
    {
        public static readonly OperatorOnly Instance = new();
    }
}

/// <summary>Whether a request comes from an operator: the operator token, or an address on an allowed network. Read per request, so an edit of <c>operators</c> applies at once.</summary>
internal sealed class OperatorGate(FeedsConfigMonitor configs, string? tokenFromEnvironment)
{
    /// <summary>RFC 7239's header, which the middleware does not read: its presence alone says a proxy stood between.</summary>
    private const string ForwardedHeaderName = "Forwarded";

    /// <summary>True for an operator; else false and why, for the 403.</summary>
    public bool Admits(HttpContext context, out string reason)
    {
        var operators = configs.Current.Operators;
        if ((tokenFromEnvironment ?? operators.Token) is { } token && ShowsToken(context.Request, token))
        {
            reason = "";
            return true;
        }
        var headers = context.Request.Headers;
        if (headers.ContainsKey(ForwardedHeadersDefaults.XForwardedForHeaderName) || headers.ContainsKey(ForwardedHeaderName))
        {
            reason = "this request was forwarded by a proxy not listed in operators.trustedProxies, so its client is unknown; list the proxy, or use the operator token";
            return false;
        }
        var address = context.Connection.RemoteIpAddress is { IsIPv4MappedToIPv6: true } mapped ? mapped.MapToIPv4() : context.Connection.RemoteIpAddress;
        if (address is not null && operators.AllowedNetworks.Any(network => network.Contains(address)))
        {
            reason = "";
            return true;
        }
        reason = $"the operator pages are served to operators.allowedNetworks ({string.Join(", ", operators.AllowedNetworks)}) and to the operator token; {address?.ToString() ?? "this client"} is neither";
        return false;
    }

    /// <summary>True for an operator (see <see cref="Admits"/>).</summary>
    public bool Admits(HttpContext context) => Admits(context, out _);

    // Compared in fixed time, so the answer's timing tells nothing of how much of a guess was right.
    private static bool ShowsToken(HttpRequest request, string token) =>
        request.Headers.Authorization.ToString() is { } authorization
        && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(authorization["Bearer ".Length..].Trim()), Encoding.UTF8.GetBytes(token));
}
