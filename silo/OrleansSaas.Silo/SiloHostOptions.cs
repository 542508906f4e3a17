using System.ComponentModel.DataAnnotations;

namespace OrleansSaas.Silo;

/// <summary>Where this silo listens and which cluster it joins. Bound from the "Silo" section (and SILO__* variables).</summary>
public sealed class SiloHostOptions
{
    public const string Section = "Silo";

    [Required] public string ClusterId { get; set; } = "orleanssaas-dev";
    [Required] public string ServiceId { get; set; } = "orleanssaas";
    [Range(1, 65535)] public int SiloPort { get; set; } = 11111;
    [Range(1, 65535)] public int GatewayPort { get; set; } = 30000;
    /// <summary>Serves /health/live and /health/ready.</summary>
    [Range(1, 65535)] public int HttpPort { get; set; } = 8081;
    /// <summary>The address other silos and clients reach this silo on.</summary>
    [Required] public string AdvertisedAddress { get; set; } = "127.0.0.1";
}
