namespace OrleansSaas.Grains.Cluster;

/// <summary>
/// The active silo with the lowest address does the cluster-wide chores (sweeps, clean-ups), so survivors
/// do not all hit PostgreSQL and the same grains at once. Any silo can compute it from membership alone.
/// </summary>
public static class ClusterLeader
{
    public static bool IsLocal(IClusterMembershipService membership, ILocalSiloDetails localSilo) =>
        membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .Select(m => m.SiloAddress)
            .Min() is { } leader && leader.Equals(localSilo.SiloAddress);
}
