using Orleans.Concurrency;
using OrleansSaas.Contracts.Diagnostics;

namespace OrleansSaas.Grains.Diagnostics;

/// <summary>A stateless worker, so pings never queue behind one activation and are served by the nearest silo.</summary>
[StatelessWorker]
public sealed class PingGrain(TimeProvider clock) : Grain, IPingGrain
{
    public Task<DateTimeOffset> Ping() => Task.FromResult(clock.GetUtcNow());
}
