using System.ComponentModel.DataAnnotations;

namespace OrleansSaas.Grains.Cluster;

public sealed class FailoverOptions
{
    public const string Section = "Failover";

    /// <summary>How often the keeper looks for sessions that should be connected but have no live host, besides reacting to silo deaths.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Sessions re-activated at once; bounds the load a silo death puts on PostgreSQL and the survivors.</summary>
    [Range(1, 1000)]
    public int Parallelism { get; set; } = 32;

    /// <summary>Wait before sweeping again when some sessions could not be revived (e.g. while the directory recovers from the death).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    [Range(10, 100_000)]
    public int BatchSize { get; set; } = 1000;
}
