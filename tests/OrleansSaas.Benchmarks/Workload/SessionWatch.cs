using System.Diagnostics;
using System.Text.Json.Nodes;
using OrleansSaas.Benchmarks.Client;

namespace OrleansSaas.Benchmarks.Workload;

/// <summary>Session status as a client sees it, through GET /v1/sessions (the registry: asking wakes no session up).</summary>
public static class SessionWatch
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>How many of the given sessions are connected, once every one is or when time runs out.</summary>
    public static async Task<int> WaitAllConnectedAsync(GatewayApi api, IReadOnlyCollection<string> sessionIds, TimeSpan timeout, CancellationToken cancellation)
    {
        var wanted = sessionIds.ToHashSet(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var connected = (await api.ListSessionsAsync(cancellation) ?? []).Count(s => wanted.Contains((string)s["id"]!) && IsConnected(s));
            if (connected == wanted.Count || clock.Elapsed > timeout) return connected;
            await Task.Delay(PollInterval, cancellation);
        }
    }

    private static bool IsConnected(JsonNode session) => (string?)session["status"] == "connected";
}
