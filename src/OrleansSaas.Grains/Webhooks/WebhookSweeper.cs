using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSaas.Contracts.Sessions;
using OrleansSaas.Contracts.Webhooks;
using OrleansSaas.Data.Webhooks;
using OrleansSaas.Grains.Cluster;

namespace OrleansSaas.Grains.Webhooks;

/// <summary>
/// Wakes subscriptions whose deliveries are overdue: a live subscription grain keeps its own timer, so a
/// delivery late by more than the grace period means its grain went with a silo (or the whole cluster
/// restarted). The deliveries themselves are rows, so waking the grain is all it takes to carry on.
/// </summary>
public sealed class WebhookSweeper(
    IClusterMembershipService membership,
    ILocalSiloDetails localSilo,
    IGrainFactory grains,
    IHostApplicationLifetime lifetime,
    WebhookStore store,
    TimeProvider clock,
    IOptions<WebhookOptions> options,
    ILogger<WebhookSweeper> logger) : BackgroundService
{
    private const int BatchSize = 1000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(started.SetResult))
            await started.Task.WaitAsync(stoppingToken);
        using var timer = new PeriodicTimer(options.Value.SweepInterval);
        try
        {
            do
            {
                if (ClusterLeader.IsLocal(membership, localSilo)) await SweepAsync();
            } while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SweepAsync()
    {
        try
        {
            var overdue = await store.ListOverdueAsync(clock.GetUtcNow() - options.Value.OverdueGrace, BatchSize);
            if (overdue.Count > 0) logger.LogInformation("Waking {Count} webhook subscription(s) with overdue deliveries", overdue.Count);
            foreach (var (tenantId, subscriptionId) in overdue)
                await grains.GetGrain<IWebhookGrain>(SessionKey.Format(tenantId, subscriptionId)).Poke();
        }
        catch (Exception error)
        {
            logger.LogWarning(error, "Webhook sweep failed; the next one retries");
        }
    }
}
