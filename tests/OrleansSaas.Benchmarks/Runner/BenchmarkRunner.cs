using System.Diagnostics;
using OrleansSaas.Benchmarks.Cli;
using OrleansSaas.Benchmarks.Reporting;
using OrleansSaas.Benchmarks.Target;

namespace OrleansSaas.Benchmarks.Runner;

/// <summary>Runs the selected scenarios, each on a cluster of its own (or the --gateway given), into one report.</summary>
public static class BenchmarkRunner
{
    public static IReadOnlyList<OptionSpec> CommonOptions { get; } =
    [
        new("out", "", "write the report as JSON to this file"),
        new("markdown", "", "also write the markdown table to this file (it always goes to stdout)"),
        new("logs", "", "write the last output of every process the tool started to this folder"),
        new("gateway", "", "use this running gateway instead of starting a cluster (load only; needs Simulator:DevEndpoints there)"),
        new("admin-key", "", "the gateway's Admin:ApiKey (with --gateway): creates the run's tenant, reads silo memory and balance"),
        new("api-key", "", "a tenant API key to use instead of creating a tenant (with --gateway)"),
        new("short-timings", "", "start the cluster with the tests' fast failure detection instead of the product's defaults"),
        new("timeout", "30", "seconds before one HTTP request counts as 'timeout'"),
    ];

    public static async Task<BenchmarkReport> RunAsync(CommandLine command, string commandLine, Action<string> progress, CancellationToken cancellation)
    {
        var scenarios = ScenarioCatalog.Select(command.Scenario);
        command.RejectUnknown(CommonOptions.Concat(scenarios.SelectMany(s => s.Options)));
        if (command.Has("gateway") && !command.Has("admin-key") && !command.Has("api-key"))
            throw new UsageException("--gateway needs --admin-key (to create the run's tenant) or --api-key.");
        var report = new BenchmarkReport { CommandLine = commandLine, Machine = MachineInfo.Current(), StartedAt = DateTimeOffset.UtcNow };
        foreach (var scenario in scenarios)
        {
            if (cancellation.IsCancellationRequested) break;
            report.Scenarios.Add(await RunScenarioAsync(scenario, command, progress, cancellation));
        }
        report.FinishedAt = DateTimeOffset.UtcNow;
        return report;
    }

    private static async Task<ScenarioReport> RunScenarioAsync(IScenario scenario, CommandLine command, Action<string> progress, CancellationToken cancellation)
    {
        var report = new ScenarioReport(scenario.Name);
        var clock = Stopwatch.StartNew();
        var plan = scenario.PlanCluster(command);
        var timeout = command.Seconds("timeout", 30, min: 1);
        LocalCluster? cluster = null;
        progress($"{scenario.Name}: {scenario.Summary}");
        try
        {
            GatewayTarget target;
            if (command.Text("gateway") is { } url)
            {
                if (plan.NeedsOwnCluster) throw new UsageException($"'{scenario.Name}' with these options kills processes or configures the silos, so it starts its own cluster; leave out --gateway.");
                target = new GatewayTarget(new Uri(url), command.Text("admin-key"), command.Text("api-key"), $"the running gateway at {url}", timeout);
            }
            else
            {
                report.Parameters["silos"] = plan.Silos.ToString();
                cluster = await LocalCluster.StartAsync(plan.Silos, plan.SiloSettings, command.Flag("short-timings"), progress, plan.Database, plan.Gateways);
                target = new GatewayTarget(cluster.GatewayUrl, cluster.AdminKey, null, cluster.Description, timeout);
            }
            report.RanAgainst = target.Description;
            using (target) await scenario.RunAsync(new ScenarioContext(command, target, cluster, progress, cancellation), report);
        }
        catch (UsageException)
        {
            throw;
        }
        catch (Exception error)
        {
            report.Error = cancellation.IsCancellationRequested ? "cancelled" : $"{error.GetType().Name}: {error.Message}";
            progress($"{scenario.Name} failed: {error}");
        }
        finally
        {
            if (cluster is not null)
            {
                if (command.Text("logs") is { } folder) await WriteLogsAsync(folder, scenario.Name, cluster);
                progress("stopping the cluster");
                await cluster.DisposeAsync();
            }
            report.DurationSeconds = Math.Round(clock.Elapsed.TotalSeconds, 1);
        }
        progress($"{scenario.Name}: {(report.Passed ? "passed" : "FAILED")} in {report.DurationSeconds:0} s");
        return report;
    }

    private static async Task WriteLogsAsync(string folder, string scenario, LocalCluster cluster)
    {
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, $"{scenario}-processes.log"), cluster.Diagnostics());
    }
}
