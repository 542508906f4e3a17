using Microsoft.Extensions.Options;
using OrleansSaas.Contracts.Cluster;

namespace OrleansSaas.Grains.Cluster;

/// <summary>Not reentrant on purpose: operations run one at a time (see <see cref="IClusterOperationsGrain"/>).</summary>
public sealed class ClusterOperationsGrain(ClusterOperations operations, IOptions<ClusterOperationsOptions> options) : Grain, IClusterOperationsGrain
{
    public Task<MoveReply> MoveSession(string sessionKey, string silo) => operations.MoveSessionAsync(sessionKey, silo);

    public Task<DrainReply> Drain(string silo) => operations.DrainAsync(silo, MoveCause.Drain, CancellationToken.None);

    public Task<ClusterOperationError> Undrain(string silo) => operations.UndrainAsync(silo);

    // An automatic rebalance is bounded; an operator asked for all of it.
    public Task<RebalanceReport> Rebalance(string cause) =>
        operations.RebalanceAsync(cause, cause == MoveCause.Admin ? int.MaxValue : options.Value.AutoRebalanceMaxMoves, CancellationToken.None);
}
