using OrleansSaas.Benchmarks.Client;

namespace OrleansSaas.Benchmarks.Workload;

/// <summary>Readings of GET /v1/admin/silos: balance of sessions over the active silos, and their memory.</summary>
public static class SiloLoads
{
    /// <summary>Most sessions on one active silo over the fewest; infinite when an active silo has none.</summary>
    public static double BalanceRatio(IReadOnlyList<SiloInfo> silos)
    {
        var active = silos.Where(s => s.IsActive).Select(s => s.Sessions).ToList();
        if (active.Count == 0 || active.Max() == 0) return 1;
        return active.Min() == 0 ? double.PositiveInfinity : (double)active.Max() / active.Min();
    }

    public static string Describe(IReadOnlyList<SiloInfo> silos) =>
        string.Join(" / ", silos.Where(s => s.IsActive).Select(s => s.Sessions));

    /// <summary>The active silos' memory summed, as the median of a few readings a second apart (the statistic is filtered and moves with GC).</summary>
    public static async Task<long?> TotalMemoryAsync(AdminApi admin, CancellationToken cancellation)
    {
        var readings = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            if (i > 0) await Task.Delay(TimeSpan.FromSeconds(1), cancellation);
            var silos = await admin.ListSilosAsync(cancellation);
            var active = silos?.Where(s => s.IsActive).ToList();
            if (active is { Count: > 0 } && active.All(s => s.MemoryBytes is not null)) readings.Add(active.Sum(s => s.MemoryBytes!.Value));
        }
        return readings.Count == 0 ? null : readings.Order().ElementAt(readings.Count / 2);
    }
}
