using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSaas.Contracts.Sessions;
using OrleansSaas.Data;
using OrleansSaas.Data.Audit;

namespace OrleansSaas.Grains.Cluster;

/// <summary>Why a session moves; recorded in its status history and, for the cluster's own moves, in the audit log.</summary>
public static class MoveCause
{
    public const string Admin = "admin";
    public const string Drain = "drain";
    public const string Rebalance = "rebalance";
    public const string Shutdown = "shutdown";
    public const string Join = "join";
}

/// <summary>What happened to one move: the session migrated, was already there, no longer exists, or ended up elsewhere.</summary>
public enum MoveOutcome { Moved, AlreadyThere, Gone, Failed }

/// <param name="Moved">Sessions that migrated to their destination.</param>
/// <param name="Settled">Sessions known to be off their source now (moved, already at the destination, or deleted).</param>
public sealed record MoveTally(IReadOnlySet<string> Moved, IReadOnlySet<string> Settled, int Failed);

/// <summary>Moves sessions by grain migration and confirms where each one lives afterwards.</summary>
public sealed class SessionMover(IGrainFactory grains, AuditStore audit, IOptions<ClusterOperationsOptions> options, ILogger<SessionMover> logger)
{
    /// <summary>Runs one move; <c>Silo</c> is where the session lives afterwards (null when it does not exist).</summary>
    public async Task<(MoveOutcome Outcome, string? Silo)> MoveAsync(PlannedMove move, string cause)
    {
        var session = grains.GetGrain<ISessionMovement>(move.SessionKey);
        switch (await session.MoveTo(move.To, cause))
        {
            case MoveStart.NotFound: return (MoveOutcome.Gone, null);
            case MoveStart.AlreadyThere: return (MoveOutcome.AlreadyThere, move.To);
        }
        string? now;
        try
        {
            // Answered by the new activation: calls that arrive during a migration are forwarded to it.
            now = await session.Locate();
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // The destination refused the activation (e.g. it filled up meanwhile); the next call places the session anew.
            logger.LogWarning(error, "Session {SessionKey} did not start on {Silo}; placing it again", move.SessionKey, move.To);
            now = await session.Locate();
        }
        return (now is null ? MoveOutcome.Gone : now == move.To ? MoveOutcome.Moved : MoveOutcome.Failed, now);
    }

    /// <summary>Runs the moves a bounded number at a time (and paced, when a rate is given); each migration is audited as the cluster's own action.</summary>
    public async Task<MoveTally> MoveAllAsync(IReadOnlyList<PlannedMove> moves, string cause, double? movesPerSecond, CancellationToken cancellationToken)
    {
        var moved = new ConcurrentDictionary<string, bool>();
        var settled = new ConcurrentDictionary<string, bool>();
        int failed = 0, started = 0;
        var clock = Stopwatch.StartNew();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Value.MoveParallelism, CancellationToken = cancellationToken };
        try
        {
            await Parallel.ForEachAsync(moves, parallel, async (move, token) =>
            {
                if (movesPerSecond is { } rate)
                {
                    var due = TimeSpan.FromSeconds(Interlocked.Increment(ref started) / rate) - clock.Elapsed;
                    if (due > TimeSpan.Zero) await Task.Delay(due, token);
                }
                var outcome = await TryMoveAsync(move, cause);
                if (outcome == MoveOutcome.Failed) Interlocked.Increment(ref failed);
                else settled[move.SessionKey] = true;
                if (outcome == MoveOutcome.Moved) moved[move.SessionKey] = true;
            });
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Stopped moving sessions ({Cause}) after {Moved} of {Count}: out of time", cause, moved.Count, moves.Count);
        }
        return new MoveTally(moved.Keys.ToHashSet(), settled.Keys.ToHashSet(), failed);
    }

    private async Task<MoveOutcome> TryMoveAsync(PlannedMove move, string cause)
    {
        try
        {
            var (outcome, now) = await MoveAsync(move, cause);
            if (outcome is MoveOutcome.Moved or MoveOutcome.Failed) await RecordAsync(move, cause, outcome == MoveOutcome.Moved ? 200 : 409, now);
            return outcome;
        }
        catch (Exception error)
        {
            logger.LogWarning(error, "Moving session {SessionKey} to {Silo} failed", move.SessionKey, move.To);
            await RecordAsync(move, cause, 500, null);
            return MoveOutcome.Failed;
        }
    }

    private async Task RecordAsync(PlannedMove move, string cause, int status, string? now)
    {
        var (tenantId, sessionId) = SessionKey.Parse(move.SessionKey);
        var details = new Dictionary<string, string> { ["cause"] = cause, ["from"] = move.From, ["to"] = move.To };
        if (now is not null && now != move.To) details["now"] = now;
        try
        {
            await audit.AppendAsync([new AuditEntry(DbTime.Now(), AuditActors.System, tenantId, null, "session.move", $"/v1/sessions/{sessionId}", status, null, details)]);
        }
        catch (Exception error)
        {
            logger.LogWarning(error, "Could not audit the move of session {SessionKey}", move.SessionKey);
        }
    }
}
