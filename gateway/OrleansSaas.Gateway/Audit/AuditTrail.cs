using System.Threading.Channels;
using OrleansSaas.Data.Audit;

namespace OrleansSaas.Gateway.Audit;

/// <summary>
/// Writes the gateway's audit entries durably with group commit: a request queues its entry and waits until it
/// is committed; one writer inserts whatever has queued up meanwhile in a single statement, so auditing every
/// send costs one insert per batch, not per request, and no entry is ever only in memory once its response is
/// on the wire. When PostgreSQL refuses the batch after retries, the requests go on (what they did is done) and
/// the loss is logged.
/// </summary>
public sealed class AuditTrail(AuditStore store, ILogger<AuditTrail> logger) : BackgroundService
{
    private const int Capacity = 10_000;
    private const int MaxBatch = 500;
    private const int Attempts = 3;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(250);

    private readonly Channel<(AuditEntry Entry, TaskCompletionSource Written)> _queue =
        Channel.CreateBounded<(AuditEntry, TaskCompletionSource)>(new BoundedChannelOptions(Capacity) { SingleReader = true });

    /// <summary>Completes once the entry is committed (or its loss logged).</summary>
    public async Task RecordAsync(AuditEntry entry)
    {
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await _queue.Writer.WriteAsync((entry, written));
        }
        catch (ChannelClosedException)
        {
            // The gateway is stopping (this service stops before the web server): requests still finishing write their own.
            await WriteAsync([entry]);
            return;
        }
        await written.Task;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<(AuditEntry Entry, TaskCompletionSource Written)>(MaxBatch);
        // Runs until the queue is completed and empty, not until cancellation, so stopping writes what is queued.
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item)) batch.Add(item);
            await WriteAsync(batch.Select(b => b.Entry).ToList());
            foreach (var (_, written) in batch) written.TrySetResult();
            batch.Clear();
        }
    }

    private async Task WriteAsync(IReadOnlyCollection<AuditEntry> batch)
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
                if (attempt >= Attempts)
                {
                    logger.LogError(error, "Dropped {Count} audit entries: PostgreSQL did not take them", batch.Count);
                    return;
                }
                logger.LogWarning(error, "Writing {Count} audit entries failed; retrying", batch.Count);
                await Task.Delay(RetryDelay, CancellationToken.None);
            }
        }
    }
}
