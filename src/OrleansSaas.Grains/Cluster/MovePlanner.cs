namespace OrleansSaas.Grains.Cluster;

public sealed record PlannedMove(string SessionKey, string From, string To);

/// <summary>A silo that may take part in a plan: the sessions it hosts now and its maximum.</summary>
public sealed record SiloSessions(string Silo, IReadOnlyList<string> Sessions, int MaxSessions);

/// <summary>Decides which sessions go where; pure, so the rules are easy to read and to test.</summary>
public static class MovePlanner
{
    /// <summary>Each session to the receiver with the smallest share of its capacity used; sessions that fit nowhere stay.</summary>
    public static List<PlannedMove> Spread(string from, IEnumerable<string> sessions, IReadOnlyList<SiloSessions> receivers)
    {
        var counts = receivers.ToDictionary(r => r.Silo, r => r.Sessions.Count);
        var moves = new List<PlannedMove>();
        foreach (var session in sessions)
        {
            var to = receivers.Where(r => counts[r.Silo] < r.MaxSessions).MinBy(r => (double)counts[r.Silo] / r.MaxSessions);
            if (to is null) break;
            counts[to.Silo]++;
            moves.Add(new PlannedMove(session, from, to.Silo));
        }
        return moves;
    }

    /// <summary>Even enough: the fullest silo has at most <paramref name="tolerance"/> times the sessions of the emptiest, or one more.</summary>
    public static bool IsBalanced(IReadOnlyCollection<int> counts, double tolerance) =>
        counts.Count < 2 || counts.Max() - counts.Min() <= 1 || counts.Max() <= tolerance * counts.Min();

    /// <summary>
    /// Moves that make the silos as even as their maximums allow, fewest first: nothing when they are already even
    /// enough; otherwise each silo ends within one session of the others (silos whose maximum is lower keep their maximum).
    /// </summary>
    public static List<PlannedMove> Rebalance(IReadOnlyList<SiloSessions> silos, double tolerance, int maxMoves)
    {
        if (IsBalanced(silos.Select(s => s.Sessions.Count).ToList(), tolerance)) return [];
        var targets = Targets(silos);
        var deficits = silos.Where(s => s.Sessions.Count < targets[s.Silo])
            .Select(s => (s.Silo, Missing: targets[s.Silo] - s.Sessions.Count)).ToList();
        var moves = new List<PlannedMove>();
        foreach (var donor in silos.Where(s => s.Sessions.Count > targets[s.Silo]))
        {
            foreach (var session in donor.Sessions.Skip(targets[donor.Silo]))
            {
                var receiver = deficits.FindIndex(d => d.Missing > 0);
                if (receiver < 0 || moves.Count == maxMoves) return moves;
                moves.Add(new PlannedMove(session, donor.Silo, deficits[receiver].Silo));
                deficits[receiver] = deficits[receiver] with { Missing = deficits[receiver].Missing - 1 };
            }
        }
        return moves;
    }

    /// <summary>
    /// Water-filling: silos whose maximum is below an even share are filled to it; the rest share what is left
    /// evenly, the odd sessions staying on the silos that hold the most now.
    /// </summary>
    private static Dictionary<string, int> Targets(IReadOnlyList<SiloSessions> silos)
    {
        var targets = new Dictionary<string, int>(StringComparer.Ordinal);
        var left = silos.Sum(s => s.Sessions.Count);
        var open = silos.OrderBy(s => s.MaxSessions).ToList();
        while (open.Count > 0 && open[0].MaxSessions <= left / open.Count)
        {
            targets[open[0].Silo] = open[0].MaxSessions;
            left -= open[0].MaxSessions;
            open.RemoveAt(0);
        }
        if (open.Count == 0) return targets;
        var share = left / open.Count;
        var odd = left % open.Count;
        foreach (var (silo, index) in open.OrderByDescending(s => s.Sessions.Count).Select((s, i) => (s, i)))
            targets[silo.Silo] = share + (index < odd ? 1 : 0);
        return targets;
    }
}
