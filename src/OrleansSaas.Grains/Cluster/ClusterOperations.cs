using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSaas.Contracts.Cluster;
using OrleansSaas.Contracts.Sessions;
using OrleansSaas.Data;
using OrleansSaas.Data.Audit;

namespace OrleansSaas.Grains.Cluster;

/// <summary>
/// Moving one session, draining a silo and rebalancing. Operators reach it through
/// <see cref="ClusterOperationsGrain"/>; a stopping silo drains itself through it directly.
/// </summary>
public sealed class ClusterOperations(
    ClusterView view,
    SessionMover mover,
    IGrainFactory grains,
    AuditStore audit,
    IOptions<ClusterOperationsOptions> options,
    ILogger<ClusterOperations> logger)
{
    // A session may land on the drained silo while a round runs (placed just before the mark); later rounds take it too.
    private const int DrainRounds = 3;
    private static readonly TimeSpan ReportWait = TimeSpan.FromSeconds(5);

    private ISessionPlacementGrain Placement => grains.GetGrain<ISessionPlacementGrain>(0);

    public async Task<MoveReply> MoveSessionAsync(string sessionKey, string silo)
    {
        var session = grains.GetGrain<ISessionMovement>(sessionKey);
        var before = await session.Locate();
        if (before is null) return new MoveReply(ClusterOperationError.SessionNotFound, null, null);
        if (before == silo) return new MoveReply(ClusterOperationError.None, silo, before);

        var error = ClusterView.CheckDestination((await view.SilosAsync()).FirstOrDefault(s => s.Silo == silo));
        if (error != ClusterOperationError.None) return new MoveReply(error, before, before);
        var (outcome, now) = await mover.MoveAsync(new PlannedMove(sessionKey, before, silo), MoveCause.Admin);
        return outcome switch
        {
            MoveOutcome.Gone => new MoveReply(ClusterOperationError.SessionNotFound, null, null),
            MoveOutcome.Failed => new MoveReply(ClusterOperationError.NotMoved, now, before),
            _ => new MoveReply(ClusterOperationError.None, now, before),
        };
    }

    public async Task<DrainReply> DrainAsync(string silo, string cause, CancellationToken cancellationToken)
    {
        var silos = await ReportedSilosAsync(cancellationToken);
        var drained = silos.FirstOrDefault(s => s.Silo == silo);
        var refusal = drained switch
        {
            null => ClusterOperationError.UnknownSilo,
            { Status: not SiloStatus.Active } => ClusterOperationError.SiloNotActive,
            _ when !silos.Any(s => s.Silo != silo && s.Open) => ClusterOperationError.NoOtherSilo,
            _ => ClusterOperationError.None,
        };
        if (refusal != ClusterOperationError.None) return new DrainReply(refusal, 0, 0, 0);

        await Placement.SetDraining(silo, true);
        // The runtime may still list a session here for a moment after it left, so sessions known to be elsewhere are not counted again.
        var moved = new HashSet<string>();
        var settled = new HashSet<string>();
        var failed = 0;
        for (var round = 0; round < DrainRounds && !cancellationToken.IsCancellationRequested; round++)
        {
            var receivers = (await view.SilosAsync()).Where(s => s.Silo != silo && s.Open).ToList();
            var sessions = await view.SessionsAsync(receivers.Append(drained!));
            var plan = MovePlanner.Spread(silo, sessions[silo].Where(key => !settled.Contains(key)),
                receivers.Select(r => new SiloSessions(r.Silo, sessions[r.Silo], r.MaxSessions!.Value)).ToList());
            if (plan.Count == 0) break; // empty, or no room left anywhere
            var tally = await mover.MoveAllAsync(plan, cause, null, cancellationToken);
            moved.UnionWith(tally.Moved);
            settled.UnionWith(tally.Settled);
            failed += tally.Failed;
        }
        var remaining = (await view.SessionsAsync([drained!]))[silo].Count(key => !settled.Contains(key));
        logger.LogInformation("Drained silo {Silo} ({Cause}): {Moved} session(s) moved, {Failed} failed, {Remaining} left", silo, cause, moved.Count, failed, remaining);
        if (cause != MoveCause.Drain)
            await RecordAsync("silo.drain", silo, remaining == 0 ? 200 : 409, cause, moved.Count, failed, ("remaining", remaining));
        return new DrainReply(ClusterOperationError.None, moved.Count, failed, remaining);
    }

    public async Task<ClusterOperationError> UndrainAsync(string silo)
    {
        if ((await view.SilosAsync()).All(s => s.Silo != silo)) return ClusterOperationError.UnknownSilo;
        await Placement.SetDraining(silo, false);
        return ClusterOperationError.None;
    }

    /// <summary>Evens out the active silos that are not draining; <paramref name="trigger"/> says who asked (admin, join).</summary>
    public async Task<RebalanceReport> RebalanceAsync(string trigger, int maxMoves, CancellationToken cancellationToken)
    {
        var open = (await ReportedSilosAsync(cancellationToken)).Where(s => s.Open).ToList();
        var before = await view.SessionsAsync(open);
        var plan = MovePlanner.Rebalance(open.Select(s => new SiloSessions(s.Silo, before[s.Silo], s.MaxSessions!.Value)).ToList(),
            options.Value.BalanceTolerance, maxMoves);
        if (plan.Count == 0) return new RebalanceReport(0, 0, Counts(before), Counts(before));

        var tally = await mover.MoveAllAsync(plan, MoveCause.Rebalance, options.Value.RebalanceMovesPerSecond, cancellationToken);
        // From the confirmed moves rather than a fresh listing, which may still show a session where it just left.
        var after = Counts(before);
        foreach (var move in plan.Where(m => tally.Moved.Contains(m.SessionKey)))
        {
            after[move.From]--;
            after[move.To]++;
        }
        logger.LogInformation("Rebalanced ({Trigger}): {Moved} session(s) moved, {Failed} failed; before {Before}, after {After}",
            trigger, tally.Moved.Count, tally.Failed, Describe(Counts(before)), Describe(after));
        if (trigger != MoveCause.Admin) await RecordAsync("cluster.rebalance", "cluster", tally.Failed == 0 ? 200 : 409, trigger, tally.Moved.Count, tally.Failed);
        return new RebalanceReport(tally.Moved.Count, tally.Failed, Counts(before), after);
    }

    /// <summary>
    /// The members, once every active one has reported its capacity: placement learns capacities from the silos'
    /// reports (every 2 s), so right after the placement grain moved, or a silo joined, it may not know them yet.
    /// </summary>
    private async Task<IReadOnlyList<SiloInfo>> ReportedSilosAsync(CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var silos = await view.SilosAsync();
            if (silos.All(s => s.Status != SiloStatus.Active || s.MaxSessions is not null) || waited.Elapsed > ReportWait || cancellationToken.IsCancellationRequested)
                return silos;
            await Task.Delay(ReportWait / 10, CancellationToken.None);
        }
    }

    private static Dictionary<string, int> Counts(Dictionary<string, List<string>> sessions) => sessions.ToDictionary(s => s.Key, s => s.Value.Count);

    private static string Describe(Dictionary<string, int> counts) => string.Join(", ", counts.Select(c => $"{c.Key}={c.Value}"));

    /// <summary>The cluster's own operations (not an operator's request, which the gateway records) in the audit log.</summary>
    private async Task RecordAsync(string action, string target, int outcome, string cause, int moved, int failed, params (string Key, int Value)[] more)
    {
        var details = new Dictionary<string, string> { ["cause"] = cause, ["moved"] = moved.ToString(), ["failed"] = failed.ToString() };
        foreach (var (key, value) in more) details[key] = value.ToString();
        try
        {
            await audit.AppendAsync([new AuditEntry(DbTime.Now(), AuditActors.System, null, null, action, target, outcome, null, details)]);
        }
        catch (Exception error)
        {
            logger.LogWarning(error, "Could not audit {Action} of {Target}", action, target);
        }
    }
}
