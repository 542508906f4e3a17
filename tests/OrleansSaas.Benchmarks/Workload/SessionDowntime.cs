using OrleansSaas.Benchmarks.Target;

namespace OrleansSaas.Benchmarks.Workload;

/// <summary>
/// Per session, the longest stretch the session registry showed it not connected, or connected on a silo that
/// is gone (stopped and not yet replaced by the session's next host). A live move, which hands the session over
/// between two running silos, is shorter than one poll and shows only if the new host records it late.
/// </summary>
public sealed class SessionDowntime(LocalCluster cluster, IReadOnlyList<string> sessionIds)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private readonly HashSet<string> _gone = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _downSince = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _longest = sessionIds.ToDictionary(id => id, _ => 0.0, StringComparer.Ordinal);

    public void SilosGone(IEnumerable<string> silos)
    {
        lock (_gone) _gone.UnionWith(silos);
    }

    public IReadOnlyDictionary<string, double> Longest()
    {
        lock (_longest) return new Dictionary<string, double>(_longest);
    }

    public async Task WatchAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, stop);
                var hosts = await cluster.SessionHostsAsync(sessionIds);
                var now = DateTimeOffset.UtcNow;
                lock (_longest)
                    foreach (var id in sessionIds)
                    {
                        bool up;
                        lock (_gone) up = hosts.TryGetValue(id, out var row) && row.Status == "connected" && row.Host is { } host && !_gone.Contains(host);
                        if (!up) _downSince.TryAdd(id, now);
                        if (_downSince.TryGetValue(id, out var since))
                        {
                            _longest[id] = Math.Max(_longest[id], (now - since).TotalSeconds);
                            if (up) _downSince.Remove(id);
                        }
                    }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Npgsql.NpgsqlException)
            {
                // A busy database misses one reading; the next one counts on.
            }
        }
    }
}
