using System.ComponentModel.DataAnnotations;

namespace OrleansSaas.Grains.Cluster;

/// <summary>Bound from the "Silo" section: the capacity placement respects.</summary>
public sealed class PlacementOptions
{
    /// <summary>Most sessions this silo may host; placement never goes above it.</summary>
    [Range(1, 1_000_000)]
    public int MaxSessions { get; set; } = 10_000;
}
