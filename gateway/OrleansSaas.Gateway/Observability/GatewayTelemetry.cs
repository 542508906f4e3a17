using Microsoft.AspNetCore.Http.Features;
using OrleansSaas.Gateway.Auth;
using OrleansSaas.Gateway.Sessions;
using OrleansSaas.Observability;

namespace OrleansSaas.Gateway.Observability;

public static class GatewayTelemetry
{
    /// <summary>The shared telemetry set-up, plus trace context carried from each HTTP request into the grain calls it makes.</summary>
    public static IHostApplicationBuilder AddGatewayTelemetry(this IHostApplicationBuilder builder)
    {
        builder.AddOrleansSaasTelemetry("gateway");
        builder.UseOrleansClient(client => client.AddActivityPropagation());
        return builder;
    }

    /// <summary>
    /// Goes after authentication: tags the request's span and log scope with the caller's tenant and the
    /// session named in the route. A session id is used only once it is well-formed, so arbitrary route
    /// text never reaches logs or traces.
    /// </summary>
    public static IApplicationBuilder UseTenantTelemetry(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansSaas.Gateway.Requests");
        return app.Use(async (context, next) =>
        {
            var tenantId = context.User.FindFirst(ApiKeyAuthenticationHandler.TenantClaim)?.Value;
            var sessionId = tenantId is not null && context.GetRouteValue("sessionId") is string id && SessionRoutes.IsWellFormed(id) ? id : null;
            using (WorkContext.Enter(logger, context.Features.Get<IHttpActivityFeature>()?.Activity, tenantId, sessionId))
                await next(context);
        });
    }
}
