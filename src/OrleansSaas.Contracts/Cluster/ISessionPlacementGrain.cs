namespace OrleansSaas.Contracts.Cluster;

/// <summary>
/// Keeps the session count and capacity of every silo (key: 0) and hands out placements: the least-loaded
/// silo below its maximum. One activation decides for the whole cluster, so two silos placing at once cannot
/// both take a silo's last slot.
/// </summary>
[Alias("session-placement-grain")]
public interface ISessionPlacementGrain : IGrainWithIntegerKey
{
    /// <summary>Takes a slot on the least-loaded candidate with room that is not draining; null when there is none.</summary>
    [Alias("reserve")]
    Task<string?> Reserve(string[] candidates);

    /// <summary>Takes a slot on this silo (a move names its destination); false when it is full, draining or has not reported.</summary>
    [Alias("reserve-on")]
    Task<bool> ReserveOn(string silo);

    /// <summary>A silo's actual count and capacity; corrects the tally for sessions that ended.</summary>
    [Alias("report")]
    Task Report(string silo, int sessions, int maxSessions);

    /// <summary>The latest count and capacity of every silo that reported recently.</summary>
    [Alias("loads")]
    Task<IReadOnlyList<SiloLoad>> GetLoads();

    /// <summary>A draining silo is never chosen for a session; the mark survives this grain moving.</summary>
    [Alias("set-draining")]
    Task SetDraining(string silo, bool draining);
}

[GenerateSerializer, Immutable, Alias("silo-load")]
public sealed record SiloLoad(
    [property: Id(0)] string Silo,
    [property: Id(1)] int Sessions,
    [property: Id(2)] int MaxSessions,
    [property: Id(3)] bool Draining = false);

/// <summary>No silo of the cluster has room for another session.</summary>
[GenerateSerializer, Alias("cluster-full")]
public sealed class ClusterFullException(string message) : Exception(message);
