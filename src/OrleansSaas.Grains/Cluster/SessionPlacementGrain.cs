using OrleansSaas.Contracts.Cluster;

namespace OrleansSaas.Grains.Cluster;

/// <summary>Silos an operator (or a stopping silo) took out of rotation; stored so a new activation still knows them.</summary>
[GenerateSerializer, Alias("draining-silos")]
public sealed class DrainingSilos
{
    [Id(0)] public HashSet<string> Silos { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Loads are in memory: silos report their real counts every couple of seconds, so a new activation of this
/// grain (after its silo died) has the full picture again within one report interval. Only the draining
/// marks are stored, because nothing would report them again.
/// </summary>
public sealed class SessionPlacementGrain(
    TimeProvider clock,
    [PersistentState("draining")] IPersistentState<DrainingSilos> draining) : Grain, ISessionPlacementGrain
{
    private static readonly TimeSpan Stale = TimeSpan.FromSeconds(15);
    private readonly Dictionary<string, (int Sessions, int Max, DateTimeOffset ReportedAt)> _silos = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _activatedAt = clock.GetUtcNow();

    private HashSet<string> Draining => draining.State.Silos;

    public Task<string?> Reserve(string[] candidates)
    {
        var open = candidates.Where(c => !Draining.Contains(c)).ToArray();
        var known = open.Where(IsFresh).ToList();
        // Before any silo has reported (a fresh cluster), any candidate will do; each silo still enforces its own maximum.
        if (known.Count == 0) return Task.FromResult<string?>(open.Length == 0 ? null : open[Random.Shared.Next(open.Length)]);

        var best = known.Where(HasRoom).OrderBy(c => (double)_silos[c].Sessions / _silos[c].Max).FirstOrDefault();
        if (best is not null) Take(best);
        return Task.FromResult(best);
    }

    public Task<bool> ReserveOn(string silo)
    {
        if (Draining.Contains(silo) || !IsFresh(silo) || !HasRoom(silo)) return Task.FromResult(false);
        Take(silo);
        return Task.FromResult(true);
    }

    public Task<IReadOnlyList<SiloLoad>> GetLoads() =>
        Task.FromResult<IReadOnlyList<SiloLoad>>(_silos.Keys.Where(IsFresh)
            .Select(s => new SiloLoad(s, _silos[s].Sessions, _silos[s].Max, Draining.Contains(s))).ToList());

    public Task Report(string silo, int sessions, int maxSessions)
    {
        _silos[silo] = (sessions, maxSessions, clock.GetUtcNow());
        return Task.CompletedTask;
    }

    public async Task SetDraining(string silo, bool value)
    {
        // Silo addresses carry their start time, so marks of silos gone for good can never match again; drop them
        // (once every live silo has had time to report to this activation).
        var settled = clock.GetUtcNow() - _activatedAt > Stale;
        var changed = settled && Draining.RemoveWhere(s => s != silo && !IsFresh(s)) > 0;
        changed |= value ? Draining.Add(silo) : Draining.Remove(silo);
        if (changed) await draining.WriteStateAsync();
    }

    private bool IsFresh(string silo) => _silos.TryGetValue(silo, out var s) && clock.GetUtcNow() - s.ReportedAt < Stale;

    private bool HasRoom(string silo) => _silos[silo].Sessions < _silos[silo].Max;

    private void Take(string silo) => _silos[silo] = _silos[silo] with { Sessions = _silos[silo].Sessions + 1 };
}
