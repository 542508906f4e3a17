using Orleans.Serialization.TypeSystem;
using OrleansSaas.Contracts.Cluster;
using OrleansSaas.Grains.Sessions;

namespace OrleansSaas.Grains.Cluster;

/// <summary>A member of the cluster as moves see it; <paramref name="MaxSessions"/> is null until the silo has reported.</summary>
/// <param name="Sessions">Its sessions as last reported (every couple of seconds).</param>
public sealed record SiloInfo(string Silo, SiloStatus Status, int Sessions, int? MaxSessions, bool Draining)
{
    /// <summary>Whether new or moved sessions may go there (its room aside).</summary>
    public bool Open => Status == SiloStatus.Active && !Draining && MaxSessions is not null;
}

/// <summary>Reads the cluster for moves: members from membership, capacity and draining marks from placement, sessions from the runtime.</summary>
public sealed class ClusterView(IClusterMembershipService membership, IGrainFactory grains)
{
    // How the runtime names the session grain in its activation statistics.
    private static readonly string SessionGrainType = RuntimeTypeNameFormatter.Format(typeof(SessionGrain));

    public async Task<IReadOnlyList<SiloInfo>> SilosAsync()
    {
        var loads = (await grains.GetGrain<ISessionPlacementGrain>(0).GetLoads()).ToDictionary(l => l.Silo);
        return membership.CurrentSnapshot.Members.Values.Select(member =>
        {
            var silo = member.SiloAddress.ToParsableString();
            var load = loads.GetValueOrDefault(silo);
            return new SiloInfo(silo, member.Status, load?.Sessions ?? 0, load?.MaxSessions, load?.Draining ?? false);
        }).ToList();
    }

    /// <summary>The session keys of every live session activation on these (active) silos, by silo.</summary>
    public async Task<Dictionary<string, List<string>>> SessionsAsync(IEnumerable<SiloInfo> silos)
    {
        var addresses = silos.Where(s => s.Status == SiloStatus.Active).Select(s => SiloAddress.FromParsableString(s.Silo)).ToArray();
        var result = addresses.ToDictionary(a => a.ToParsableString(), _ => new List<string>());
        if (addresses.Length == 0) return result;
        var activations = await grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics([SessionGrainType], addresses);
        foreach (var activation in activations)
            if (result.TryGetValue(activation.SiloAddress.ToParsableString(), out var sessions)) sessions.Add(activation.GrainId.Key.ToString()!);
        return result;
    }

    /// <summary>Why a session cannot be moved to the silo, or None.</summary>
    public static ClusterOperationError CheckDestination(SiloInfo? silo) => silo switch
    {
        null => ClusterOperationError.UnknownSilo,
        { Status: not SiloStatus.Active } or { MaxSessions: null } => ClusterOperationError.SiloNotActive,
        { Draining: true } => ClusterOperationError.SiloDraining,
        _ when silo.Sessions >= silo.MaxSessions => ClusterOperationError.SiloFull,
        _ => ClusterOperationError.None,
    };
}
