using System.ComponentModel.DataAnnotations;
using System.Net;

namespace OrleansSaas.Outbound;

/// <summary>
/// Bound from the "Outbound" section (OUTBOUND__* variables), shared by silos and gateways. By default a
/// tenant-aimed request (webhook receiver, media link) reaches public addresses only.
/// </summary>
public sealed class OutboundOptions : IValidatableObject
{
    public const string Section = "Outbound";

    /// <summary>
    /// Networks in CIDR form reachable although they are internal, e.g. <c>127.0.0.0/8</c> and <c>::1/128</c> for
    /// receivers on the developer's machine, or an intranet range for an on-premises deployment.
    /// </summary>
    public List<string> AllowedNetworks { get; set; } = [];

    /// <summary>How long the API waits for a host name to resolve when checking a URL; a name that does not resolve in time is checked again on connecting.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:30")]
    public TimeSpan ResolveTimeout { get; set; } = TimeSpan.FromSeconds(2);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var network in AllowedNetworks)
            if (!IPNetwork.TryParse(network, out _))
                yield return new ValidationResult($"Outbound:AllowedNetworks: '{network}' is not a network in CIDR form (e.g. 127.0.0.0/8).", [nameof(AllowedNetworks)]);
    }
}
