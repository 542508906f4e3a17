using Microsoft.Extensions.Hosting;

namespace OrleansSaas.Grains.Cluster;

/// <summary>
/// A cluster-wide chore run at an interval by the leader silo only (see <see cref="ClusterLeader"/>),
/// starting once the silo has joined. Every silo runs the loop, so leadership moves with membership.
/// </summary>
public abstract class LeaderChore(IClusterMembershipService membership, ILocalSiloDetails localSilo, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected abstract TimeSpan Interval { get; }

    /// <summary>One run; failures are the chore's to log, and the next run retries.</summary>
    protected abstract Task RunOnceAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(started.SetResult))
            await started.Task.WaitAsync(stoppingToken);
        using var timer = new PeriodicTimer(Interval);
        try
        {
            do
            {
                if (ClusterLeader.IsLocal(membership, localSilo)) await RunOnceAsync(stoppingToken);
            } while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
