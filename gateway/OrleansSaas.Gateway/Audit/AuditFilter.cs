using System.Diagnostics;
using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansSaas.Data;
using OrleansSaas.Data.Audit;
using OrleansSaas.Gateway.Admin;
using OrleansSaas.Gateway.Auth;

namespace OrleansSaas.Gateway.Audit;

/// <summary>
/// Records every mutating request of the route groups that opt in with <see cref="AuditRegistration.WithAudit{TBuilder}"/>:
/// who (tenant and API key id, or admin), what (method and route pattern), on what (the path), the status
/// answered and the request id. Never bodies, query strings or headers, so no secret can reach the log.
/// The entry is committed just before the response starts, so it carries the status being sent, errors included,
/// and a client that has its answer knows the entry is in PostgreSQL (a gateway killed after that loses nothing).
/// </summary>
public sealed class AuditFilter(AuditTrail trail) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var method = http.Request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)) return await next(context);

        var admin = http.User.IsInRole(AdminKeyAuthenticationHandler.Role);
        var pattern = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText?.TrimEnd('/');
        var entry = new AuditEntry(
            DbTime.Now(),
            admin ? AuditActors.Admin : AuditActors.Tenant,
            // An operator's action is filed under the tenant it concerns, so the tenant sees it in its own log.
            admin ? http.GetRouteValue("tenantId") as string : http.User.FindFirstValue(ApiKeyAuthenticationHandler.TenantClaim),
            // The API key a tenant acted through, or the named admin key an operator did.
            http.User.FindFirstValue(admin ? AdminKeyAuthenticationHandler.KeyIdClaim : ApiKeyAuthenticationHandler.KeyClaim),
            $"{method} {(string.IsNullOrEmpty(pattern) ? http.Request.Path.Value : pattern)}",
            http.Request.Path.Value ?? "/",
            0,
            Activity.Current?.TraceId.ToHexString() ?? http.TraceIdentifier,
            admin ? new Dictionary<string, string> { ["keyName"] = http.User.FindFirstValue(AdminKeyAuthenticationHandler.KeyNameClaim)! } : null);
        http.Response.OnStarting(() => trail.RecordAsync(entry with { Outcome = http.Response.StatusCode }));
        return await next(context);
    }
}

public static class AuditRegistration
{
    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.TryAddSingleton<AuditStore>();
        services.AddSingleton<AuditTrail>();
        services.AddHostedService(provider => provider.GetRequiredService<AuditTrail>());
        return services;
    }

    /// <summary>Audits the mutating requests of these endpoints (a route group: all of its routes).</summary>
    public static TBuilder WithAudit<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter<TBuilder, AuditFilter>();
}
