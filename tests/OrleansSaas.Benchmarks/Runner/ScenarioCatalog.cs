using System.Text;
using OrleansSaas.Benchmarks.Cli;
using OrleansSaas.Benchmarks.Scenarios;

namespace OrleansSaas.Benchmarks.Runner;

public static class ScenarioCatalog
{
    /// <summary>Every scenario, in the order 'all' runs them.</summary>
    public static IReadOnlyList<IScenario> All { get; } = [new LoadScenario(), new ChaosScenario(), new WebhooksScenario(), new RollingScenario(), new FailoverDbScenario(), new RecoveryScenario()];

    public static IReadOnlyList<IScenario> Select(string name)
    {
        if (name == "all") return All;
        var scenario = All.FirstOrDefault(s => s.Name == name) ?? throw new UsageException($"There is no scenario '{name}'.");
        return [scenario];
    }

    public static string Usage()
    {
        var text = new StringBuilder();
        text.AppendLine("usage: ./bench.sh SCENARIO [options]      (or: dotnet run -c Release --project tests/OrleansSaas.Benchmarks -- SCENARIO [options])");
        text.AppendLine();
        text.AppendLine("Scenarios:");
        foreach (var scenario in All) text.AppendLine($"  {scenario.Name,-12} {scenario.Summary}");
        text.AppendLine($"  {"all",-12} every scenario above, one after the other, each on a fresh cluster");
        Options(text, "Options of every scenario", BenchmarkRunner.CommonOptions);
        foreach (var scenario in All) Options(text, $"Options of '{scenario.Name}'", scenario.Options);
        text.AppendLine();
        text.AppendLine("See docs/benchmarks.md for what each number means and the targets.");
        return text.ToString();
    }

    private static void Options(StringBuilder text, string title, IEnumerable<OptionSpec> options)
    {
        text.AppendLine().AppendLine($"{title}:");
        foreach (var option in options)
            text.AppendLine($"  --{option.Name,-20} {option.Description}{(option.Default.Length > 0 ? $" (default {option.Default})" : "")}");
    }
}
