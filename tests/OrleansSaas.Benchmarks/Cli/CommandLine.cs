using System.Globalization;

namespace OrleansSaas.Benchmarks.Cli;

/// <summary>An option a scenario (or the tool) understands, with its default as shown in the usage text.</summary>
public sealed record OptionSpec(string Name, string Default, string Description);

/// <summary>A mistake on the command line: reported with the usage text, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// <c>SCENARIO [--name value | --flag]...</c>. Values are read typed by whoever owns the option, so a new
/// scenario declares its options without touching this class.
/// </summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, string> _values;

    public string Scenario { get; }

    private CommandLine(string scenario, Dictionary<string, string> values)
    {
        Scenario = scenario;
        _values = values;
    }

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || args[0].StartsWith('-')) throw new UsageException("Name a scenario first.");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length < 3) throw new UsageException($"Unexpected argument '{arg}'.");
            var name = arg[2..];
            var hasValue = i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
            if (!values.TryAdd(name, hasValue ? args[++i] : "true")) throw new UsageException($"--{name} is given twice.");
        }
        return new CommandLine(args[0], values);
    }

    public bool Has(string name) => _values.ContainsKey(name);

    public string? Text(string name) => _values.TryGetValue(name, out var value) ? value : null;

    public bool Flag(string name) => Text(name) switch
    {
        null or "false" => false,
        "true" => true,
        var other => throw new UsageException($"--{name} is a flag; '{other}' is not a value it takes."),
    };

    public int Int(string name, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        var text = Text(name);
        if (text is null) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new UsageException($"--{name} must be a whole number from {min} to {max}.");
        return value;
    }

    public double Double(string name, double fallback, double min = 0, double max = double.MaxValue)
    {
        var text = Text(name);
        if (text is null) return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new UsageException($"--{name} must be a number from {min} to {max}.");
        return value;
    }

    public TimeSpan Seconds(string name, double fallback, double min = 0) => TimeSpan.FromSeconds(Double(name, fallback, min));

    /// <summary>Fails on any option that neither the tool nor the selected scenarios know (a typo must not be ignored).</summary>
    public void RejectUnknown(IEnumerable<OptionSpec> known)
    {
        var names = known.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var unknown = _values.Keys.Where(k => !names.Contains(k)).ToList();
        if (unknown.Count > 0) throw new UsageException($"Unknown option(s) for '{Scenario}': {string.Join(", ", unknown.Select(u => "--" + u))}.");
    }
}
