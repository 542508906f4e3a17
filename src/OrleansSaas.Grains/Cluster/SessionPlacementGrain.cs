using OrleansSaas.Contracts.Cluster;

namespace OrleansSaas.Grains.Cluster;

/// <summary>
/// In memory: silos report their real counts every couple of seconds, so a new activation of this grain
/// (after its silo died) has the full picture again within one report interval.
/// </summary>
public sealed class SessionPlacementGrain(TimeProvider clock) : Grain, ISessionPlacementGrain
{
    private static readonly TimeSpan Stale = TimeSpan.FromSeconds(15);
    private readonly Dictionary<string, (int Sessions, int Max, DateTimeOffset ReportedAt)> _silos = new(StringComparer.Ordinal);

    public Task<string?> Reserve(string[] candidates)
    {
        var now = clock.GetUtcNow();
        var known = candidates.Where(c => _silos.TryGetValue(c, out var s) && now - s.ReportedAt < Stale).ToList();
        // Before any silo has reported (a fresh cluster), any candidate will do; each silo still enforces its own maximum.
        if (known.Count == 0) return Task.FromResult<string?>(candidates.Length == 0 ? null : candidates[Random.Shared.Next(candidates.Length)]);

        var best = known.Where(c => _silos[c].Sessions < _silos[c].Max).OrderBy(c => (double)_silos[c].Sessions / _silos[c].Max).FirstOrDefault();
        if (best is not null) _silos[best] = _silos[best] with { Sessions = _silos[best].Sessions + 1 };
        return Task.FromResult(best);
    }

    public Task<IReadOnlyList<SiloLoad>> GetLoads()
    {
        var now = clock.GetUtcNow();
        return Task.FromResult<IReadOnlyList<SiloLoad>>(_silos.Where(s => now - s.Value.ReportedAt < Stale)
            .Select(s => new SiloLoad(s.Key, s.Value.Sessions, s.Value.Max)).ToList());
    }

    public Task Report(string silo, int sessions, int maxSessions)
    {
        _silos[silo] = (sessions, maxSessions, clock.GetUtcNow());
        return Task.CompletedTask;
    }
}
