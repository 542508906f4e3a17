using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSaas.Contracts.Sessions;
using OrleansSaas.Data.Sessions;
using OrleansSaas.Observability;

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
    IHostApplicationLifetime lifetime,
    SessionRegistry registry,
    IOptions<FailoverOptions> options,
    ILogger<SessionKeeper> logger) : BackgroundService
{
    private readonly SemaphoreSlim _sweepSignal = new(0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Membership is only meaningful once this silo has joined.
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(started.SetResult))
            await started.Task.WaitAsync(stoppingToken);

        var watcher = WatchForDeathsAsync(stoppingToken);
        try
        {
            // Sweep at once (after a full restart every session is orphaned), then on each silo death or interval.
            do
            {
                await SweepAsync(stoppingToken);
            } while (await WaitForNextSweepAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await watcher;
    }

    private async Task<bool> WaitForNextSweepAsync(CancellationToken stoppingToken)
    {
        await _sweepSignal.WaitAsync(options.Value.SweepInterval, stoppingToken);
        return !stoppingToken.IsCancellationRequested;
    }

    private async Task ReleaseAfterAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken);
            _sweepSignal.Release();
        }
        catch (OperationCanceledException)
        {
        }
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
        if (!ClusterLeader.IsLocal(membership, localSilo)) return;
        try
        {
            var liveNames = membership.CurrentSnapshot.Members.Values
                .Where(m => m.Status == SiloStatus.Active)
                .Select(m => m.SiloAddress.ToParsableString())
                .ToList();
            var orphaned = await registry.ListOrphanedAsync(liveNames, options.Value.BatchSize);
            if (orphaned.Count == 0) return;
            logger.LogInformation("Reviving {Count} session(s) without a live host", orphaned.Count);
            var clock = Stopwatch.StartNew();
            var failed = 0;
            Exception? firstError = null;
            await Parallel.ForEachAsync(orphaned, new ParallelOptions { MaxDegreeOfParallelism = options.Value.Parallelism, CancellationToken = cancellationToken },
                async (key, _) =>
                {
                    try
                    {
                        await grains.GetGrain<ISessionGrain>(key).EnsureRunning();
                        Telemetry.SessionReactivated();
                    }
                    catch (Exception error)
                    {
                        if (Interlocked.Increment(ref failed) == 1) firstError = error;
                    }
                });
            if (failed == 0) logger.LogInformation("Revived {Count} session(s) in {Elapsed:0} ms", orphaned.Count, clock.Elapsed.TotalMilliseconds);
            else logger.LogWarning(firstError, "Revived {Revived} of {Count} session(s) in {Elapsed:0} ms; {Failed} failed and are retried shortly",
                orphaned.Count - failed, orphaned.Count, clock.Elapsed.TotalMilliseconds, failed);
            if (orphaned.Count == options.Value.BatchSize) _sweepSignal.Release();
            // Right after a death, calls may still fail while the directory and placement recover: try those again
            // soon rather than at the next interval.
            else if (failed > 0) _ = ReleaseAfterAsync(options.Value.RetryDelay, cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            logger.LogWarning(error, "Session sweep failed; the next one retries");
        }
    }
}
