using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansSaas.Contracts.Tenants;
using OrleansSaas.Data.Media;
using OrleansSaas.Data.Messaging;
using OrleansSaas.Data.Sessions;
using OrleansSaas.Gateway.Auth;
using OrleansSaas.Gateway.Problems;

namespace OrleansSaas.Gateway.Quotas;

/// <param name="Sessions">Sessions the tenant has (each holds one of the plan's session slots).</param>
/// <param name="MessagesLastMinute">Outbound messages accepted in the last 60 seconds.</param>
/// <param name="MediaStorageBytes">Bytes of the tenant's stored media.</param>
public sealed record UsageCounts(int Sessions, long MessagesLastMinute, long MediaStorageBytes);

public sealed record UsageResponse(string TenantId, string Name, TenantPlan Plan, UsageCounts Used);

/// <summary>A tenant's plan next to what it uses now, read from the same tables the limits count.</summary>
public static class UsageEndpoints
{
    public static RouteGroupBuilder MapUsageEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/usage").WithTags("Usage").ProducesCommonProblems().RequireAuthorization();
        group.MapGet("/", Get);
        return group;
    }

    private static async Task<Results<Ok<UsageResponse>, ProblemHttpResult>> Get(
        ClaimsPrincipal user, IClusterClient cluster, SessionRegistry sessions, MessageStore messages, MediaStore media, CancellationToken cancellationToken)
    {
        var tenantId = user.TenantId();
        var tenant = await cluster.GetGrain<ITenantGrain>(tenantId).Get();
        if (tenant is null) return Problem.NotFound($"Tenant '{tenantId}'");
        var sessionIds = await sessions.ListIdsAsync(tenantId);
        var sent = await messages.CountOutboundSinceAsync(tenantId, DateTimeOffset.UtcNow.AddMinutes(-1));
        var stored = await media.GetUsedBytesAsync(tenantId, cancellationToken);
        return TypedResults.Ok(new UsageResponse(tenant.Id, tenant.Name, tenant.Plan, new UsageCounts(sessionIds.Count, sent, stored)));
    }
}
