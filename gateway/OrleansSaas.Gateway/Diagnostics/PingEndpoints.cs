using Microsoft.AspNetCore.Http.HttpResults;
using OrleansSaas.Contracts.Diagnostics;

namespace OrleansSaas.Gateway.Diagnostics;

public sealed record PingResponse(DateTimeOffset At);

/// <summary>
/// GET /v1/ping: any valid API key, one trivial grain call. It goes through the same authentication and
/// rate limiting as every tenant route, so the benchmarks can quote the send path as a fraction of it.
/// </summary>
public static class PingEndpoints
{
    public static RouteHandlerBuilder MapPingEndpoint(this IEndpointRouteBuilder app) =>
        app.MapGet("/v1/ping", Ping).WithTags("Diagnostics").RequireAuthorization()
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(429).ProducesProblem(503);

    private static async Task<Ok<PingResponse>> Ping(IClusterClient cluster) =>
        TypedResults.Ok(new PingResponse(await cluster.GetGrain<IPingGrain>(0).Ping()));
}
