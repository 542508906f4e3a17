using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSaas.Contracts.CloudApi;

namespace OrleansSaas.Engines.CloudApi;

/// <summary>
/// Wakes the inbox of every session with webhooks stored longer than the grace period: their poke or their
/// inbox grain went with a silo (or a gateway died after storing). The rows are the truth; waking is enough.
/// </summary>
public sealed class CloudApiInboxSweeper(
    IGrainFactory grains,
    CloudApiWebhookStore hooks,
    IOptions<CloudApiOptions> options,
    ILogger<CloudApiInboxSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.InboxSweepInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                foreach (var sessionKey in await hooks.ListOverdueSessionsAsync(DateTimeOffset.UtcNow - options.Value.InboxGrace, 1000))
                    await grains.GetGrain<ICloudApiInboxGrain>(sessionKey).Poke();
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // Before the silo has joined, or while the database is away: the next tick tries again.
                logger.LogDebug(error, "Cloud API inbox sweep failed");
            }
        }
    }
}
