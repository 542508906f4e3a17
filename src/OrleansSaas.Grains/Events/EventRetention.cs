using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSaas.Data.Events;
using OrleansSaas.Grains.Cluster;

namespace OrleansSaas.Grains.Events;

/// <summary>Deletes events past the retention period (with their deliveries), in small batches so it never holds long locks.</summary>
public sealed class EventRetention(
    IClusterMembershipService membership,
    ILocalSiloDetails localSilo,
    IHostApplicationLifetime lifetime,
    EventStore events,
    TimeProvider clock,
    IOptions<EventOptions> options,
    ILogger<EventRetention> logger) : BackgroundService
{
    private const int BatchSize = 5000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(started.SetResult))
            await started.Task.WaitAsync(stoppingToken);
        using var timer = new PeriodicTimer(options.Value.CleanupInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (!ClusterLeader.IsLocal(membership, localSilo)) continue;
                try
                {
                    var cutoff = clock.GetUtcNow() - options.Value.Retention;
                    int deleted, total = 0;
                    do
                    {
                        deleted = await events.DeleteOlderThanAsync(cutoff, BatchSize);
                        total += deleted;
                    } while (deleted == BatchSize && !stoppingToken.IsCancellationRequested);
                    if (total > 0) logger.LogInformation("Deleted {Count} event(s) older than {Cutoff:u}", total, cutoff);
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    logger.LogWarning(error, "Event clean-up failed; the next run retries");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
