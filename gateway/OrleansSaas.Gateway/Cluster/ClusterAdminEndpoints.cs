using Microsoft.AspNetCore.Http.HttpResults;
using OrleansSaas.Contracts.Cluster;
using OrleansSaas.Data.Sessions;
using OrleansSaas.Gateway.Problems;

namespace OrleansSaas.Gateway.Cluster;

public sealed record SiloResponse(
    string Address, string Name, string Status, DateTimeOffset StartedAt, int Sessions, int? MaxSessions,
    double? CpuPercent, long? MemoryBytes, int Activations, long? MemoryLimitBytes);

public sealed record SiloSessionResponse(string TenantId, SessionSummary Session);

/// <summary>Operators' view of the cluster: its silos with their load (status "draining" once drained), and the sessions each one hosts.</summary>
public static class ClusterAdminEndpoints
{
    private const int MaxSessionsListed = 1000;

    public static void MapClusterAdminEndpoints(this RouteGroupBuilder admin)
    {
        var group = admin.MapGroup("/silos").WithTags("Admin");
        group.MapGet("/", ListSilos);
        group.MapGet("/{silo}/sessions", ListSessions);
    }

    private static async Task<Ok<IReadOnlyList<SiloResponse>>> ListSilos(IClusterClient cluster)
    {
        var management = cluster.GetGrain<IManagementGrain>(0);
        var members = await management.GetDetailedHosts(onlyActive: false);
        var active = members.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress).ToArray();
        var statistics = active.Length == 0 ? [] : await management.GetRuntimeStatistics(active);
        var loads = (await cluster.GetGrain<ISessionPlacementGrain>(0).GetLoads()).ToDictionary(l => l.Silo);

        IReadOnlyList<SiloResponse> silos = members.OrderBy(m => m.StartTime).Select(member =>
        {
            var address = member.SiloAddress.ToParsableString();
            var index = Array.IndexOf(active, member.SiloAddress);
            var stats = index >= 0 ? statistics[index] : null;
            loads.TryGetValue(address, out var load);
            // A draining silo is still an active member, but placement no longer picks it.
            var status = member.Status == SiloStatus.Active && load?.Draining == true ? "draining" : member.Status.ToString().ToLowerInvariant();
            return new SiloResponse(address, member.SiloName, status, member.StartTime,
                load?.Sessions ?? 0, load?.MaxSessions, stats?.EnvironmentStatistics.FilteredCpuUsagePercentage, stats?.EnvironmentStatistics.FilteredMemoryUsageBytes, stats?.ActivationCount ?? 0,
                stats?.EnvironmentStatistics.MaximumAvailableMemoryBytes);
        }).ToList();
        return TypedResults.Ok(silos);
    }

    private static async Task<Results<Ok<IReadOnlyList<SiloSessionResponse>>, ProblemHttpResult>> ListSessions(string silo, IClusterClient cluster, SessionRegistry registry)
    {
        var members = await cluster.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: false);
        if (!members.Any(m => m.SiloAddress.ToParsableString() == silo)) return Problem.NotFound($"Silo '{silo}'");
        IReadOnlyList<SiloSessionResponse> sessions = (await registry.ListByHostAsync(silo, MaxSessionsListed))
            .Select(s => new SiloSessionResponse(s.TenantId, s.Session)).ToList();
        return TypedResults.Ok(sessions);
    }
}
