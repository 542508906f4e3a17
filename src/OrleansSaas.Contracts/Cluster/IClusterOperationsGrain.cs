namespace OrleansSaas.Contracts.Cluster;

/// <summary>
/// Operators' actions on where sessions live (key: 0): move one session, drain a silo, rebalance. One
/// activation runs them one after another, so a drain and a rebalance never pull the same sessions apart.
/// Drains and rebalances take as long as their moves, hence the long response timeouts.
/// </summary>
[Alias("cluster-operations")]
public interface IClusterOperationsGrain : IGrainWithIntegerKey
{
    /// <summary>Moves a live session (key: tenant/session) with its state to the silo; it reconnects there by itself.</summary>
    [Alias("move-session"), ResponseTimeout("00:05:00")]
    Task<MoveReply> MoveSession(string sessionKey, string silo);

    /// <summary>Marks the silo draining (placement never picks it) and moves every session off it.</summary>
    [Alias("drain"), ResponseTimeout("00:30:00")]
    Task<DrainReply> Drain(string silo);

    /// <summary>Puts a drained silo back in rotation.</summary>
    [Alias("undrain"), ResponseTimeout("00:05:00")]
    Task<ClusterOperationError> Undrain(string silo);

    /// <summary>Moves sessions from the fullest silos to the emptiest until they are even (within the configured tolerance).</summary>
    [Alias("rebalance"), ResponseTimeout("00:30:00")]
    Task<RebalanceReport> Rebalance(string cause);
}

/// <summary>Why an operation was refused; None when it ran.</summary>
[GenerateSerializer, Alias("cluster-operation-error")]
public enum ClusterOperationError
{
    None = 0,
    SessionNotFound = 1,
    /// <summary>No member of the cluster has this address.</summary>
    UnknownSilo = 2,
    /// <summary>The silo is joining, shutting down or dead.</summary>
    SiloNotActive = 3,
    SiloDraining = 4,
    /// <summary>The silo hosts its maximum number of sessions.</summary>
    SiloFull = 5,
    /// <summary>No other active silo could take the sessions.</summary>
    NoOtherSilo = 6,
    /// <summary>The move ran but placement put the session elsewhere (the destination filled up meanwhile).</summary>
    NotMoved = 7,
}

/// <param name="Silo">Where the session lives after the operation.</param>
/// <param name="PreviousSilo">Where it lived before.</param>
[GenerateSerializer, Immutable, Alias("move-reply")]
public sealed record MoveReply(
    [property: Id(0)] ClusterOperationError Error,
    [property: Id(1)] string? Silo,
    [property: Id(2)] string? PreviousSilo);

/// <param name="Moved">Sessions now connected elsewhere.</param>
/// <param name="Failed">Sessions whose move did not succeed.</param>
/// <param name="Remaining">Sessions still on the silo when the drain ended.</param>
[GenerateSerializer, Immutable, Alias("drain-reply")]
public sealed record DrainReply(
    [property: Id(0)] ClusterOperationError Error,
    [property: Id(1)] int Moved,
    [property: Id(2)] int Failed,
    [property: Id(3)] int Remaining);

/// <param name="Before">Sessions per silo (active, not draining) before the moves.</param>
/// <param name="After">Sessions per silo after them.</param>
[GenerateSerializer, Immutable, Alias("rebalance-report")]
public sealed record RebalanceReport(
    [property: Id(0)] int Moves,
    [property: Id(1)] int Failed,
    [property: Id(2)] IReadOnlyDictionary<string, int> Before,
    [property: Id(3)] IReadOnlyDictionary<string, int> After);
