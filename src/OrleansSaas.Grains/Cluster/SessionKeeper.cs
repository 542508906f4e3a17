using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSaas.Contracts.Sessions;
using OrleansSaas.Data.Sessions;

namespace OrleansSaas.Grains.Cluster;

/// <summary>
/// Brings sessions back after their silo dies, without any client call: when membership declares a silo
/// dead (and periodically, which also covers a full cluster restart) the leader silo finds the sessions
/// that should be connected but whose last host is not alive, and activates them, a bounded number at a
/// time. Activation places each one on a live silo and reconnects it from its stored credentials.
/// Each session's reminder is the slow backstop should this miss one.
/// </summary>
public sealed class SessionKeeper(
    IClusterMembershipService membership,
    ILocalSiloDetails localSilo,
    IGrainFactory grains,
    SessionRegistry registry,
    IOptions<FailoverOptions> options,
    ILogger<SessionKeeper> logger) : BackgroundService
{
    private readonly SemaphoreSlim _sweepSignal = new(0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watcher = WatchForDeathsAsync(stoppingToken);
        using var ticker = new PeriodicTimer(options.Value.SweepInterval);
        _sweepSignal.Release(); // sweep once at start-up: after a full restart every session is orphaned
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var tick = ticker.WaitForNextTickAsync(stoppingToken).AsTask();
                var signal = _sweepSignal.WaitAsync(stoppingToken);
                await Task.WhenAny(tick, signal);
                if (stoppingToken.IsCancellationRequested) break;
                await SweepAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await watcher;
    }

    private async Task WatchForDeathsAsync(CancellationToken stoppingToken)
    {
        var dead = new HashSet<SiloAddress>();
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                var newlyDead = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Dead && dead.Add(m.SiloAddress)).ToList();
                if (newlyDead.Count == 0) continue;
                logger.LogInformation("Silo(s) {Silos} declared dead; reviving their sessions", string.Join(", ", newlyDead.Select(m => m.SiloAddress)));
                _sweepSignal.Release();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        var live = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .Select(m => m.SiloAddress)
            .ToList();
        // One leader sweeps, so survivors do not all hit PostgreSQL and the same grains at once.
        if (live.Count == 0 || !live.Min(SiloAddressComparer.Instance)!.Equals(localSilo.SiloAddress)) return;

        try
        {
            var liveNames = live.Select(s => s.ToParsableString()).ToList();
            var orphaned = await registry.ListOrphanedAsync(liveNames, options.Value.BatchSize);
            if (orphaned.Count == 0) return;
            logger.LogInformation("Reviving {Count} session(s) without a live host", orphaned.Count);
            await Parallel.ForEachAsync(orphaned, new ParallelOptions { MaxDegreeOfParallelism = options.Value.Parallelism, CancellationToken = cancellationToken },
                async (key, _) =>
                {
                    try
                    {
                        await grains.GetGrain<ISessionGrain>(key).EnsureRunning();
                    }
                    catch (Exception error)
                    {
                        logger.LogWarning(error, "Could not revive session {SessionKey}; the next sweep retries", key);
                    }
                });
            if (orphaned.Count == options.Value.BatchSize) _sweepSignal.Release();
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            logger.LogWarning(error, "Session sweep failed; the next one retries");
        }
    }

    private sealed class SiloAddressComparer : IComparer<SiloAddress>
    {
        public static readonly SiloAddressComparer Instance = new();
        public int Compare(SiloAddress? x, SiloAddress? y) => x is null ? (y is null ? 0 : -1) : x.CompareTo(y);
    }
}
