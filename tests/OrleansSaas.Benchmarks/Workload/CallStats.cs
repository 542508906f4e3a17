namespace OrleansSaas.Benchmarks.Workload;

/// <summary>Outcome counts and latencies of one batch of calls.</summary>
public sealed class CallStats(IReadOnlyList<RequestRecord> records, TimeSpan elapsed)
{
    public IReadOnlyList<RequestRecord> Records => records;

    public int Count(string outcome) => records.Count(r => r.Outcome == outcome);

    public double PerSecond(string outcome) => elapsed > TimeSpan.Zero ? Count(outcome) / elapsed.TotalSeconds : 0;

    public LatencySummary? Latency(string outcome) => LatencySummary.Of(records.Where(r => r.Outcome == outcome).Select(r => r.Milliseconds));
}
