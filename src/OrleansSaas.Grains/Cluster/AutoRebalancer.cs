using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSaas.Contracts.Cluster;

namespace OrleansSaas.Grains.Cluster;

/// <summary>
/// Evens out sessions after a silo joins: placement fills a new silo only with new sessions, so without this
/// it would stay nearly empty while the others stay full. Every silo watches membership; the leader (the
/// lowest active address, as for failover) asks for the rebalance once joins have settled.
/// </summary>
public sealed class AutoRebalancer(
    IClusterMembershipService membership,
    ILocalSiloDetails localSilo,
    IGrainFactory grains,
    IHostApplicationLifetime lifetime,
    IOptions<ClusterOperationsOptions> options,
    ILogger<AutoRebalancer> logger) : BackgroundService
{
    private const int RebalanceRounds = 3;
    private static readonly TimeSpan ReportPoll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ReportTimeout = TimeSpan.FromSeconds(60);
    private readonly SemaphoreSlim _joined = new(0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.AutoRebalance) return;
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(started.SetResult))
            await started.Task.WaitAsync(stoppingToken);
        try
        {
            await Task.WhenAll(WatchForJoinsAsync(stoppingToken), RebalanceAfterJoinsAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task WatchForJoinsAsync(CancellationToken stoppingToken)
    {
        // Empty at first, so a silo that joins a running cluster counts its own arrival too: it may be the leader.
        var known = new HashSet<SiloAddress>();
        await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
        {
            var active = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress).ToList();
            var newcomers = active.Where(known.Add).ToList();
            if (newcomers.Count > 0 && active.Count > 1) _joined.Release();
        }
    }

    private bool IsLeader() =>
        membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress).ToList() is { Count: > 1 } active
        && active.Min()!.Equals(localSilo.SiloAddress);

    /// <summary>Waits until every active silo has reported its capacity to placement; false if one never did, or another silo joined meanwhile.</summary>
    private async Task<bool> WaitForReportsAsync(CancellationToken stoppingToken)
    {
        var deadline = DateTime.UtcNow + ReportTimeout;
        while (DateTime.UtcNow < deadline)
        {
            var active = membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress.ToParsableString()).ToList();
            var reported = (await grains.GetGrain<ISessionPlacementGrain>(0).GetLoads()).Select(l => l.Silo).ToHashSet();
            if (active.All(reported.Contains)) return true;
            // A further join starts the settle delay again (and this wait with it).
            if (await _joined.WaitAsync(ReportPoll, stoppingToken))
            {
                _joined.Release();
                return false;
            }
        }
        logger.LogWarning("A silo that joined never reported its capacity; not rebalancing");
        return false;
    }

    private async Task RebalanceAfterJoinsAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            await _joined.WaitAsync(stoppingToken);
            // Wait until no silo has joined for a whole settle delay, so several joins make one rebalance.
            while (await _joined.WaitAsync(options.Value.SettleDelay, stoppingToken))
            {
            }

            if (!IsLeader()) continue;
            try
            {
                // A newcomer takes sessions only once placement knows its capacity (its first report, seconds after it joined).
                if (!await WaitForReportsAsync(stoppingToken)) continue;
                for (var round = 1; ; round++)
                {
                    var report = await grains.GetGrain<IClusterOperationsGrain>(0).Rebalance(MoveCause.Join);
                    logger.LogInformation("Rebalanced after a join: {Moves} session(s) moved, {Failed} failed", report.Moves, report.Failed);
                    // Moves that failed (e.g. a session busy reconnecting) are planned again at once, a few times.
                    if (report.Failed == 0 || round == RebalanceRounds) break;
                }
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                logger.LogWarning(error, "Rebalancing after a join failed; the next join or an operator retries");
            }
        }
    }
}
