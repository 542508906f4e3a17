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
    public int Parallelism { get; set; } = 64;

    /// <summary>Wait before sweeping again when some sessions could not be revived (e.g. while the directory recovers from the death).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long after a silo is declared dead the grain directory still refuses new activations of the grains it
    /// held. Orleans holds them back in case the "dead" silo is only cut off and still running them (two activations
    /// of a session would both send); by default for 30 s from the estimated failure, which at our membership timings
    /// keeps every session of a killed silo down for about 14 s after its death is known. A silo that is declared
    /// dead stops itself as soon as it hears of it, so a short hold covers the common case (a real crash) without
    /// a long outage; raise it where a silo can be cut off from the others yet still reach PostgreSQL and clients.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan DirectoryHoldAfterDeath { get; set; } = TimeSpan.FromSeconds(2);

    [Range(10, 100_000)]
    public int BatchSize { get; set; } = 1000;
}
