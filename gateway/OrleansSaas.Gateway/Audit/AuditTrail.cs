using System.Threading.Channels;
using OrleansSaas.Data.Audit;

namespace OrleansSaas.Gateway.Audit;

/// <summary>
/// Writes the gateway's audit entries in batches, off the request path: a finished request queues its entry
/// and one writer inserts whatever has queued up in a single statement, so auditing every send costs one
/// insert per batch, not per request. The queue is bounded: when PostgreSQL falls behind, finished requests
/// wait to queue (their responses are already sent) rather than entries being dropped. Stopping flushes it.
/// </summary>
public sealed class AuditTrail(AuditStore store, ILogger<AuditTrail> logger) : BackgroundService
{
    private const int Capacity = 10_000;
    private const int MaxBatch = 500;
    private const int AttemptsWhenStopping = 3;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly Channel<AuditEntry> _queue = Channel.CreateBounded<AuditEntry>(new BoundedChannelOptions(Capacity) { SingleReader = true });

    public async Task RecordAsync(AuditEntry entry)
    {
        try
        {
            await _queue.Writer.WriteAsync(entry);
        }
        catch (ChannelClosedException)
        {
            // The gateway is stopping (this service stops before the web server): requests still finishing write their own.
            await store.AppendAsync([entry]);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<AuditEntry>(MaxBatch);
        // Runs until the queue is completed and empty, not until cancellation, so stopping writes what is queued.
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var entry)) batch.Add(entry);
            await WriteAsync(batch, stoppingToken);
            batch.Clear();
        }
    }

    private async Task WriteAsync(List<AuditEntry> batch, CancellationToken stoppingToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await store.AppendAsync(batch, CancellationToken.None);
                return;
            }
            catch (Exception error)
            {
                if (stoppingToken.IsCancellationRequested && attempt >= AttemptsWhenStopping)
                {
                    logger.LogError(error, "Dropped {Count} audit entries: PostgreSQL did not take them before the gateway stopped", batch.Count);
                    return;
                }
                logger.LogWarning(error, "Writing {Count} audit entries failed; retrying", batch.Count);
                await Task.Delay(RetryDelay, CancellationToken.None);
            }
        }
    }
}
