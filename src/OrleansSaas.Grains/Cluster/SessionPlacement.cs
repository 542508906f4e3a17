using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;
using Orleans.Runtime.Placement;
using OrleansSaas.Contracts.Cluster;
using OrleansSaas.Observability;

namespace OrleansSaas.Grains.Cluster;

/// <summary>Places session grains by capacity (see <see cref="SessionPlacementDirector"/>).</summary>
[GenerateSerializer, Alias("session-placement-strategy")]
public sealed class SessionPlacementStrategy : PlacementStrategy
{
    public static readonly SessionPlacementStrategy Instance = new();
}

[AttributeUsage(AttributeTargets.Class)]
public sealed class SessionPlacementAttribute() : PlacementAttribute(SessionPlacementStrategy.Instance);

/// <summary>
/// The least-loaded compatible silo below its maximum and not draining; a full cluster refuses with
/// <see cref="ClusterFullException"/>. A placement hint (how a move names its destination) wins while that
/// silo is active, has room and is not draining; otherwise placement goes on as if there were none.
/// </summary>
public sealed class SessionPlacementDirector(IGrainFactory grains) : IPlacementDirector
{
    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        var placement = grains.GetGrain<ISessionPlacementGrain>(0);
        if (IPlacementDirector.GetPlacementHint(target.RequestContextData, silos) is { } hint && await placement.ReserveOn(hint.ToParsableString()))
            return hint;
        var chosen = await placement.Reserve(silos.Select(s => s.ToParsableString()).ToArray());
        if (silos.FirstOrDefault(s => s.ToParsableString() == chosen) is { } silo) return silo;
        Telemetry.PlacementRejected("cluster_full");
        throw new ClusterFullException("Every silo hosts its maximum number of sessions; add a silo or retry later.");
    }
}

/// <summary>This silo's live session count, and the hard stop at its maximum.</summary>
public sealed class SessionCounter(IOptions<PlacementOptions> options)
{
    private int _sessions;

    public int Sessions => Volatile.Read(ref _sessions);
    public int MaxSessions => options.Value.MaxSessions;

    /// <summary>Counts a new activation, or refuses it when the silo is full (the placement tally was stale).</summary>
    public void Enter()
    {
        if (Interlocked.Increment(ref _sessions) <= MaxSessions) return;
        Interlocked.Decrement(ref _sessions);
        Telemetry.PlacementRejected("silo_full");
        throw new ClusterFullException("This silo hosts its maximum number of sessions; retry shortly.");
    }

    public void Exit() => Interlocked.Decrement(ref _sessions);
}

/// <summary>Reports the silo's real session count to the placement grain every couple of seconds.</summary>
public sealed class SessionLoadReporter(SessionCounter counter, IGrainFactory grains, ILocalSiloDetails silo,
    IHostApplicationLifetime lifetime, ILogger<SessionLoadReporter> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(started.SetResult)) await started.Task.WaitAsync(stoppingToken);
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                await grains.GetGrain<ISessionPlacementGrain>(0).Report(silo.SiloAddress.ToParsableString(), counter.Sessions, counter.MaxSessions);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                logger.LogDebug(error, "Session load report failed; the next one retries");
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
