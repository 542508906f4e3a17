using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansSaas.Data.Health;

namespace OrleansSaas.Silo.Health;

/// <summary>/health/live: the process runs. /health/ready: PostgreSQL answers and this silo is an active cluster member.</summary>
public static class SiloHealth
{
    private const string Ready = "ready";

    public static IServiceCollection AddSiloHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<PostgresHealthCheck>("postgres", tags: [Ready])
            .AddCheck<MembershipHealthCheck>("membership", tags: [Ready]);
        return services;
    }

    public static void MapSiloHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains(Ready) });
    }
}

/// <summary>Ready once membership lists this silo as active; a joining, stopping or declared-dead silo is not.</summary>
public sealed class MembershipHealthCheck(IClusterMembershipService membership, ILocalSiloDetails silo) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress) == SiloStatus.Active
            ? HealthCheckResult.Healthy("Active cluster member.")
            : HealthCheckResult.Unhealthy("Not an active cluster member."));
}
