using OrleansSaas.Benchmarks.Cli;
using OrleansSaas.Benchmarks.Reporting;
using OrleansSaas.Benchmarks.Target;

namespace OrleansSaas.Benchmarks.Runner;

/// <summary>
/// One thing the tool measures. A scenario declares its options and the cluster it needs; the runner starts
/// that cluster (or uses --gateway), hands it over in a <see cref="ScenarioContext"/>, and writes the report.
/// Add a scenario by implementing this and listing it in <see cref="ScenarioCatalog"/>.
/// </summary>
public interface IScenario
{
    /// <summary>The first command-line argument that selects it.</summary>
    string Name { get; }

    /// <summary>One line for the usage text.</summary>
    string Summary { get; }

    IReadOnlyList<OptionSpec> Options { get; }

    ClusterPlan PlanCluster(CommandLine command);

    /// <summary>Measures into <paramref name="report"/> as it goes, so what was measured survives a failure half-way.</summary>
    Task RunAsync(ScenarioContext context, ScenarioReport report);
}

/// <summary>The cluster a scenario wants when the tool starts one.</summary>
/// <param name="NeedsOwnCluster">It kills processes, so it cannot run against a gateway given with --gateway.</param>
/// <param name="Gateways">Gateways to start on the same cluster (<see cref="Target.LocalCluster.GatewayUrls"/>).</param>
public sealed record ClusterPlan(int Silos, IReadOnlyDictionary<string, string> SiloSettings, bool NeedsOwnCluster, int Gateways = 1)
{
    /// <summary>The PostgreSQL servers behind the cluster: one, unless the scenario fails over or restores.</summary>
    public DatabaseTopology Database { get; init; } = DatabaseTopology.Single;
}
