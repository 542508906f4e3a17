using System.Collections.Concurrent;
using System.Diagnostics;
using OrleansSaas.Benchmarks.Client;

namespace OrleansSaas.Benchmarks.Workload;

/// <summary>What arrived at the receiving sessions, against what the gateway accepted.</summary>
/// <param name="Lost">Accepted (202) but never in the receiver's inbound history.</param>
/// <param name="Duplicates">Extra copies: a token that arrived n times counts n - 1.</param>
/// <param name="UnconfirmedDelivered">The client saw an error (or no answer) but the message was committed and arrived once; not a loss, not a duplicate.</param>
/// <param name="AllArrivedAt">When the audit first saw every accepted message; null if some never arrived.</param>
public sealed record DeliveryResult(int Accepted, int Delivered, int Lost, int Duplicates, int Unconfirmed, int UnconfirmedDelivered,
    DateTimeOffset? AllArrivedAt, IReadOnlyList<string> LostSample);

/// <summary>
/// Reads the receiving sessions' inbound history (paginated, through the public API) until every accepted
/// token is there or time runs out, waits a little for late duplicates, then counts every token once more.
/// </summary>
public static class DeliveryAudit
{
    private static readonly TimeSpan DuplicateWindow = TimeSpan.FromSeconds(3);

    public static async Task<DeliveryResult> RunAsync(GatewayApi api, IReadOnlyList<FleetSession> sessions, MessageTraffic traffic,
        TimeSpan timeout, int concurrency, Action<string> progress, CancellationToken cancellation)
    {
        var expected = traffic.Accepted.GroupBy(a => a.Value, a => a.Key).ToDictionary(g => g.Key, g => g.ToHashSet(StringComparer.Ordinal));
        var missing = expected.ToDictionary(e => e.Key, e => new HashSet<string>(e.Value, StringComparer.Ordinal));
        var deadline = Stopwatch.StartNew();
        DateTimeOffset? allArrivedAt = null;
        while (true)
        {
            var receivers = missing.Where(m => m.Value.Count > 0).Select(m => m.Key).ToList();
            var counts = await CountTokensAsync(api, sessions, receivers, concurrency, cancellation);
            foreach (var receiver in receivers) missing[receiver].ExceptWith(counts[receiver].Keys);
            var left = missing.Values.Sum(m => m.Count);
            if (left == 0)
            {
                allArrivedAt = DateTimeOffset.UtcNow;
                break;
            }
            if (deadline.Elapsed > timeout) break;
            progress($"waiting for {left:N0} of {traffic.Accepted.Count:N0} accepted messages to arrive");
            await Task.Delay(TimeSpan.FromSeconds(1), cancellation);
        }

        await Task.Delay(DuplicateWindow, cancellation);
        var final = await CountTokensAsync(api, sessions, Enumerable.Range(0, sessions.Count).ToList(), concurrency, cancellation);
        var arrived = final.Values.SelectMany(c => c).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
        var lost = traffic.Accepted.Keys.Where(t => !arrived.ContainsKey(t)).ToList();
        return new DeliveryResult(
            traffic.Accepted.Count,
            traffic.Accepted.Count - lost.Count,
            lost.Count,
            arrived.Values.Sum(n => n - 1),
            traffic.Unconfirmed.Count,
            traffic.Unconfirmed.Keys.Count(arrived.ContainsKey),
            allArrivedAt,
            lost.Order().Take(10).ToList());
    }

    /// <summary>For each receiver, how often each token of this run arrived.</summary>
    private static async Task<Dictionary<int, Dictionary<string, int>>> CountTokensAsync(
        GatewayApi api, IReadOnlyList<FleetSession> sessions, IReadOnlyList<int> receivers, int concurrency, CancellationToken cancellation)
    {
        var counts = new ConcurrentDictionary<int, Dictionary<string, int>>();
        await Parallel.ForEachAsync(receivers, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellation }, async (receiver, token) =>
        {
            var texts = await ApiCall.UntilReadAsync(() => api.ListInboundTextsAsync(sessions[receiver].Id, token), $"the inbound messages of {sessions[receiver].Id}", token);
            counts[receiver] = texts.Where(t => t.StartsWith(MessageTraffic.TextPrefix, StringComparison.Ordinal))
                .GroupBy(t => t[MessageTraffic.TextPrefix.Length..], StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        });
        return counts.ToDictionary();
    }
}
