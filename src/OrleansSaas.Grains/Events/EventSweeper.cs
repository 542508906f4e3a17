using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSaas.Contracts.Events;
using OrleansSaas.Contracts.Sessions;
using OrleansSaas.Contracts.Webhooks;
using OrleansSaas.Data.Events;
using OrleansSaas.Data.Webhooks;
using OrleansSaas.Grains.Cluster;
using OrleansSaas.Grains.Webhooks;

namespace OrleansSaas.Grains.Events;

/// <summary>
/// Makes good what a lost grain would have done: events still unnumbered after the grace period (the poke
/// or the sequencer went with a silo) and deliveries overdue by more than it (a live subscription grain
/// keeps its own timer, so its grain went with a silo or the whole cluster restarted). Both are rows,
/// so waking the grain is all it takes to carry on.
/// </summary>
public sealed class EventSweeper(
    IClusterMembershipService membership,
    ILocalSiloDetails localSilo,
    IHostApplicationLifetime lifetime,
    IGrainFactory grains,
    EventStore events,
    WebhookStore webhooks,
    TimeProvider clock,
    IOptions<WebhookOptions> options,
    ILogger<EventSweeper> logger) : LeaderChore(membership, localSilo, lifetime)
{
    private const int BatchSize = 1000;

    protected override TimeSpan Interval => options.Value.SweepInterval;

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            var cutoff = clock.GetUtcNow() - options.Value.OverdueGrace;
            var unnumbered = await events.ListTenantsWithUnnumberedAsync(cutoff, BatchSize);
            if (unnumbered.Count > 0) logger.LogInformation("Numbering the late events of {Count} tenant(s)", unnumbered.Count);
            foreach (var tenantId in unnumbered)
                await grains.GetGrain<IEventSequencerGrain>(tenantId).Poke();
            var overdue = await webhooks.ListOverdueAsync(cutoff, BatchSize);
            if (overdue.Count > 0) logger.LogInformation("Waking {Count} webhook subscription(s) with overdue deliveries", overdue.Count);
            foreach (var (tenantId, subscriptionId) in overdue)
                await grains.GetGrain<IWebhookGrain>(SessionKey.Format(tenantId, subscriptionId)).Poke();
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            logger.LogWarning(error, "Event sweep failed; the next one retries");
        }
    }
}
