using System.Collections.Concurrent;

namespace OrleansSaas.Benchmarks.Workload;

/// <summary>One HTTP call as the client saw it: when it started, how long it took, and its outcome ("202", "timeout", …).</summary>
public readonly record struct RequestRecord(DateTimeOffset StartedAt, double Milliseconds, string Outcome);

/// <summary>Every call of one kind (e.g. sends), kept whole so any window of the run can be analysed afterwards.</summary>
public sealed class RequestLog
{
    private readonly ConcurrentQueue<RequestRecord> _records = new();

    public void Add(RequestRecord record) => _records.Enqueue(record);

    public IReadOnlyList<RequestRecord> Between(DateTimeOffset from, DateTimeOffset to) =>
        _records.Where(r => r.StartedAt >= from && r.StartedAt < to).ToList();

    public IReadOnlyList<RequestRecord> All() => _records.ToList();

    public DateTimeOffset? FirstWith(string outcome, DateTimeOffset after) =>
        _records.Where(r => r.Outcome == outcome && r.StartedAt >= after).Select(r => (DateTimeOffset?)r.StartedAt).Min();
}

/// <summary>Percentiles of a set of latencies (nearest-rank).</summary>
public sealed record LatencySummary(double P50, double P95, double P99)
{
    public static LatencySummary? Of(IEnumerable<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToArray();
        if (sorted.Length == 0) return null;
        return new LatencySummary(Rank(sorted, 0.50), Rank(sorted, 0.95), Rank(sorted, 0.99));
    }

    private static double Rank(double[] sorted, double quantile) => sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];
}

public static class Outcomes
{
    /// <summary>Counts by outcome, most frequent first.</summary>
    public static IReadOnlyList<(string Outcome, int Count)> Count(IEnumerable<RequestRecord> records) =>
        records.GroupBy(r => r.Outcome).Select(g => (g.Key, g.Count())).OrderByDescending(g => g.Item2).ThenBy(g => g.Key).ToList();

    public static string Describe(IEnumerable<RequestRecord> records)
    {
        var counts = Count(records);
        return counts.Count == 0 ? "no requests" : string.Join(", ", counts.Select(c => $"{c.Outcome}: {c.Count}"));
    }
}
