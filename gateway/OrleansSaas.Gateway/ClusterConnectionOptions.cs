using System.ComponentModel.DataAnnotations;

namespace OrleansSaas.Gateway;

/// <summary>Which cluster this gateway talks to. Bound from the "Cluster" section (CLUSTER__* variables).</summary>
public sealed class ClusterConnectionOptions
{
    public const string Section = "Cluster";

    [Required] public string ClusterId { get; set; } = "orleanssaas-dev";
    [Required] public string ServiceId { get; set; } = "orleanssaas";

    /// <summary>How long start-up waits for a silo to accept the connection before giving up.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
