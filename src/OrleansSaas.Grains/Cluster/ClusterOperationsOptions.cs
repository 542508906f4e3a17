using System.ComponentModel.DataAnnotations;

namespace OrleansSaas.Grains.Cluster;

/// <summary>How the cluster moves sessions between silos: drains, rebalancing and graceful shutdown ("Cluster" section).</summary>
public sealed class ClusterOperationsOptions
{
    public const string Section = "Cluster";

    /// <summary>Sessions moved at once by a drain or a rebalance; bounds the reconnect burst on the engines and PostgreSQL.</summary>
    [Range(1, 1000)]
    public int MoveParallelism { get; set; } = 32;

    /// <summary>Pace of a rebalance, so evening out never competes with client traffic; drains run unpaced.</summary>
    [Range(0.1, 100_000)]
    public double RebalanceMovesPerSecond { get; set; } = 100;

    /// <summary>Sessions are even when the fullest silo has at most this many times the sessions of the emptiest (or one more).</summary>
    [Range(1.0, 10.0)]
    public double BalanceTolerance { get; set; } = 1.2;

    /// <summary>Rebalance by itself once a silo joins.</summary>
    public bool AutoRebalance { get; set; } = true;

    /// <summary>
    /// Quiet time after a join before rebalancing, so several joins (a rolling restart, a scale-out) make one rebalance;
    /// the rebalance then also waits for the newcomers' first capacity reports.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan SettleDelay { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Most sessions one automatic rebalance moves; the next join (or an operator) continues.</summary>
    [Range(1, 1_000_000)]
    public int AutoRebalanceMaxMoves { get; set; } = 10_000;

    /// <summary>A silo stopping gracefully moves its sessions to the others first.</summary>
    public bool DrainOnShutdown { get; set; } = true;

    /// <summary>
    /// Longest a graceful stop spends moving sessions; those left are revived elsewhere by failover. Keep it
    /// below the host's shutdown timeout (30 s by default).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ShutdownDrainTimeout { get; set; } = TimeSpan.FromSeconds(20);
}
