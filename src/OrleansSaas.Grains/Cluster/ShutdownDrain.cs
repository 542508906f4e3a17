using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSaas.Contracts.Cluster;

namespace OrleansSaas.Grains.Cluster;

/// <summary>
/// A silo stopping gracefully (SIGTERM, Ctrl-C) first moves its sessions to the other silos, so they stay
/// connected instead of waiting for failover. Bounded by <see cref="ClusterOperationsOptions.ShutdownDrainTimeout"/>;
/// whatever is left is revived elsewhere by failover once this silo is gone. The last silo just stops.
/// </summary>
public sealed class ShutdownDrain(
    ClusterOperations operations,
    ILocalSiloDetails localSilo,
    IOptions<ClusterOperationsOptions> options,
    ILogger<ShutdownDrain> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    // Stages stop from the highest down: above Active, this runs while the silo is still a full member
    // (its grains can migrate, membership still lists it active) and before anything else stops.
    private const int Stage = ServiceLifecycleStage.Active + 1;

    public void Participate(ISiloLifecycle lifecycle) => lifecycle.Subscribe(nameof(ShutdownDrain), Stage, _ => Task.CompletedTask, StopAsync);

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.DrainOnShutdown) return;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Value.ShutdownDrainTimeout);
        var silo = localSilo.SiloAddress.ToParsableString();
        try
        {
            var report = await operations.DrainAsync(silo, MoveCause.Shutdown, deadline.Token);
            if (report.Error == ClusterOperationError.NoOtherSilo)
                logger.LogInformation("Last silo of the cluster stopping; its sessions reconnect when a silo starts again");
            else
                logger.LogInformation("Moved {Moved} session(s) off this silo before stopping; {Remaining} left for failover", report.Moved, report.Remaining);
        }
        catch (Exception error)
        {
            logger.LogWarning(error, "Moving sessions off this silo before stopping failed; failover revives them elsewhere");
        }
    }
}
