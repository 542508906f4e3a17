namespace OrleansSaas.Benchmarks.Workload;

/// <summary>Named stretches of a run (e.g. "PostgreSQL stopped"), so the calls made in each can be told apart afterwards.</summary>
public sealed class PhaseLog
{
    private readonly List<(string Name, DateTimeOffset Start)> _phases = [];
    private DateTimeOffset? _end;

    /// <summary>Ends the current phase and starts the next; returns when.</summary>
    public DateTimeOffset Begin(string name)
    {
        var now = DateTimeOffset.UtcNow;
        _phases.Add((name, now));
        return now;
    }

    public void End() => _end ??= DateTimeOffset.UtcNow;

    public IEnumerable<(string Name, DateTimeOffset Start, DateTimeOffset End)> All =>
        _phases.Select((p, i) => (p.Name, p.Start, i + 1 < _phases.Count ? _phases[i + 1].Start : _end ?? DateTimeOffset.UtcNow));
}
