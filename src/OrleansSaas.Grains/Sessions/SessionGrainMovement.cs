using Orleans.Runtime.Placement;
using OrleansSaas.Contracts.Sessions;

namespace OrleansSaas.Grains.Sessions;

/// <summary>
/// Live migration of a session: Orleans deactivates it here and activates it on the destination with its
/// persistent state handed over (no storage round trip); the new activation reconnects by itself, resumes
/// the send queue from its queued rows, and records the reconnection with reason "moved".
/// </summary>
public sealed partial class SessionGrain : ISessionMovement, IGrainMigrationParticipant
{
    private const string MoveCauseKey = "orleanssaas.move-cause";

    /// <summary>Set once this activation is going away, so its send pump stops before the next one starts.</summary>
    private bool _leaving;
    /// <summary>Why this activation is migrating (admin, drain, rebalance, shutdown); travels with it.</summary>
    private string? _moveCause;
    /// <summary>On the new activation: the cause of the move, until its reconnection is recorded.</summary>
    private string? _arrivedBy;

    public Task<MoveStart> MoveTo(string silo, string cause)
    {
        if (!State.Exists)
        {
            DeactivateOnIdle();
            return Task.FromResult(MoveStart.NotFound);
        }
        if (silo == SiloName) return Task.FromResult(MoveStart.AlreadyThere);

        _moveCause = cause;
        // MigrateOnIdle takes the destination from the request context as a placement hint; it must not leak into later calls.
        RequestContext.Set(IPlacementDirector.PlacementHintKey, SiloAddress.FromParsableString(silo));
        try
        {
            MigrateOnIdle();
        }
        finally
        {
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        }
        return Task.FromResult(MoveStart.Started);
    }

    public Task<string?> Locate()
    {
        if (State.Exists) return Task.FromResult<string?>(SiloName);
        DeactivateOnIdle();
        return Task.FromResult<string?>(null);
    }

    void IGrainMigrationParticipant.OnDehydrate(IDehydrationContext context)
    {
        if (_moveCause is not null) context.TryAddValue(MoveCauseKey, _moveCause);
    }

    // Runs after the persistent state is restored: only a session that reconnects on arrival records the move.
    void IGrainMigrationParticipant.OnRehydrate(IRehydrationContext context)
    {
        if (State is { ShouldBeConnected: true, PhoneNumber: not null } && context.TryGetValue(MoveCauseKey, out string? cause)) _arrivedBy = cause;
    }
}
