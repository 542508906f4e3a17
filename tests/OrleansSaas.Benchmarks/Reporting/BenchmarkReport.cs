namespace OrleansSaas.Benchmarks.Reporting;

/// <summary>Everything one invocation of the tool measured, written as JSON (--out) and as markdown.</summary>
public sealed class BenchmarkReport
{
    public required string CommandLine { get; init; }
    public required MachineInfo Machine { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset FinishedAt { get; set; }
    public List<ScenarioReport> Scenarios { get; } = [];
    public bool Passed => Scenarios.Count > 0 && Scenarios.All(s => s.Passed);
}

/// <summary>
/// One scenario's results: measurements (numbers, optionally against a target), checks (correctness: any
/// failure fails the run) and notes. A scenario that throws keeps what it measured so far and its error.
/// </summary>
public sealed class ScenarioReport(string scenario)
{
    public string Scenario { get; } = scenario;
    /// <summary>What the scenario ran against, e.g. the cluster the tool started.</summary>
    public string RanAgainst { get; set; } = "";
    public Dictionary<string, string> Parameters { get; } = new(StringComparer.Ordinal);
    public List<Metric> Metrics { get; } = [];
    public List<Check> Checks { get; } = [];
    public List<string> Notes { get; } = [];
    public double DurationSeconds { get; set; }
    public string? Error { get; set; }
    public bool Passed => Error is null && Checks.All(c => c.Passed);

    public void Add(string section, string name, double? value, string unit, Goal? goal = null, string? note = null) =>
        Metrics.Add(new Metric(section, name, value is { } v && double.IsFinite(v) ? Math.Round(v, 3) : null, unit,
            goal?.Text, value is { } measured && goal is not null ? goal.IsMet(measured) : null, note));

    /// <summary>A result that is a fact rather than a number (e.g. "not available").</summary>
    public void AddText(string section, string name, string text) => Metrics.Add(new Metric(section, name, null, "", null, null, text));

    public void Check(string name, bool passed, string detail) => Checks.Add(new Check(name, passed, detail));

    public double? Value(string section, string name) => Metrics.SingleOrDefault(m => m.Section == section && m.Name == name)?.Value;
}

public sealed record Metric(string Section, string Name, double? Value, string Unit, string? Target, bool? Met, string? Note);

public sealed record Check(string Name, bool Passed, string Detail);

/// <summary>A target from docs/benchmarks.md, e.g. "p95 &lt; 50 ms".</summary>
public sealed record Goal(string Text, Func<double, bool> IsMet)
{
    public static Goal Below(double limit, string text) => new(text, v => v < limit);
    public static Goal AtMost(double limit, string text) => new(text, v => v <= limit);
    public static Goal AtLeast(double limit, string text) => new(text, v => v >= limit);
}
