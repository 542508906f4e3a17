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
    ILogger<EventRetention> logger) : LeaderChore(membership, localSilo, lifetime)
{
    private const int BatchSize = 5000;

    protected override TimeSpan Interval => options.Value.CleanupInterval;

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            var cutoff = clock.GetUtcNow() - options.Value.Retention;
            int deleted, total = 0;
            do
            {
                deleted = await events.DeleteOlderThanAsync(cutoff, BatchSize);
                total += deleted;
            } while (deleted == BatchSize && !cancellationToken.IsCancellationRequested);
            if (total > 0) logger.LogInformation("Deleted {Count} event(s) older than {Cutoff:u}", total, cutoff);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            logger.LogWarning(error, "Event clean-up failed; the next run retries");
        }
    }
}
