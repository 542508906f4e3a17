using System.ComponentModel.DataAnnotations;

namespace OrleansSaas.Engines.Simulated;

public sealed class SimulatorOptions
{
    public const string Section = "Simulator";

    /// <summary>How long after delivery a number without a linked session "reads" a message; zero turns those read receipts off.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ReadDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How soon the network retries handing a pending message to a device that did not take it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan RedeliveryInterval { get; set; } = TimeSpan.FromSeconds(2);
}
