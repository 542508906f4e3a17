using System.Diagnostics;
using OrleansSaas.Benchmarks.Cli;
using OrleansSaas.Benchmarks.Client;
using OrleansSaas.Benchmarks.Reporting;
using OrleansSaas.Benchmarks.Runner;
using OrleansSaas.Benchmarks.Target;
using OrleansSaas.Benchmarks.Workload;

namespace OrleansSaas.Benchmarks.Scenarios;

/// <summary>
/// A rolling upgrade under load, on a cluster of its own with several gateways behind a load balancer (the
/// tool's own, <see cref="GatewayBalancer"/>): every silo, then every gateway, is stopped gracefully (SIGTERM)
/// and started again, one at a time. Measured: how long each session was without a connected host, what the
/// clients saw (only retriable 503s are allowed), and afterwards every accepted message delivered once.
/// </summary>
public sealed class RollingScenario : IScenario
{
    public const string OnlyRetriableErrors = "clients saw only retriable 503s";
    public const string AllConnectedAtEnd = "every session connected at the end";
    // Far above any run: the tenant's plan must never be what the benchmark measures.
    private const int MessagesPerMinute = 1_000_000;

    public string Name => "rolling";

    public string Summary => "under load through 2 gateways: restart every silo, then every gateway, gracefully; downtime per session, errors, nothing lost";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("silos", "3", "silos to start (at least 2)"),
        new("gateways", "2", "gateways to start, behind the tool's load balancer"),
        new("sessions", "300", "sessions to create and pair"),
        new("rate", "100", "sends per second during the whole run"),
        new("concurrency", "32", "most requests in flight at once"),
        new("setup-concurrency", "32", "sessions created and paired at once"),
        new("retries", "5", "times a failed send is retried (same Idempotency-Key, next gateway)"),
        new("pause", "5", "seconds of load before the first restart and after each one"),
        new("stop-timeout", "60", "seconds a graceful stop may take before the process is killed"),
        new("recovery-timeout", "120", "seconds to wait for every session to be connected at the end"),
        new("drain-timeout", "120", "seconds to wait for every accepted message to arrive"),
    ];

    public ClusterPlan PlanCluster(CommandLine command) =>
        new(command.Int("silos", 3, min: 2, max: 16),
            new Dictionary<string, string> { ["Silo__MaxSessions"] = Math.Max(10_000, Sessions(command)).ToString() }, NeedsOwnCluster: true,
            Gateways: command.Int("gateways", 2, min: 1, max: 8));

    private static int Sessions(CommandLine command) => command.Int("sessions", 300, min: 2, max: 100_000);

    public async Task RunAsync(ScenarioContext context, ScenarioReport report)
    {
        var command = context.Command;
        var cancellation = context.Cancellation;
        var cluster = context.Cluster;
        var sessions = Sessions(command);
        var rate = command.Double("rate", 100, min: 0.1);
        var concurrency = command.Int("concurrency", 32, min: 1, max: 10_000);
        var retries = command.Int("retries", 5, min: 0, max: 100);
        var pause = command.Seconds("pause", 5);
        var stopTimeout = command.Seconds("stop-timeout", 60, min: 1);
        foreach (var (key, value) in new (string, object)[]
                 {
                     ("gateways", cluster.GatewayUrls.Count), ("sessions", sessions), ("rate", rate), ("concurrency", concurrency),
                     ("retries", retries), ("pause", pause.TotalSeconds),
                 })
            report.Parameters[key] = value.ToString()!;

        var (tenantId, apiKey) = await context.Gateway.Admin().CreateTenantAsync($"benchmark {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss}", sessions + 10, MessagesPerMinute, cancellation);
        context.Progress($"created tenant {tenantId}");
        var timeout = command.Seconds("timeout", 30, min: 1);
        var targets = cluster.GatewayUrls.Select(url => new GatewayTarget(url, null, apiKey, url.ToString(), timeout)).ToList();
        try
        {
            var apis = targets.Select(t => t.Tenant(apiKey)).ToList();
            context.Progress($"creating and pairing {sessions} sessions");
            var fleet = await SessionFleet.CreateAsync(apis[0], sessions, command.Int("setup-concurrency", 32, min: 1), context.Progress, cancellation);
            await using var balancer = new GatewayBalancer(apis.Zip(cluster.GatewayUrls).ToList());
            var traffic = new MessageTraffic(balancer.Next, fleet.Sessions, retries);
            var phases = new PhaseLog();
            var downtime = new SessionDowntime(cluster, fleet.Sessions.Select(s => s.Id).ToList());
            using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            context.Progress($"load: {rate:N0} sends/s through {apis.Count} gateway(s), {concurrency} at once, {retries} retries per send");
            phases.Begin("steady load");
            var load = RateRunner.RunAsync(long.MaxValue, rate, concurrency, index => traffic.SendAsync(index, stopLoad.Token), stopLoad.Token);
            var watching = downtime.WatchAsync(stopLoad.Token);
            try
            {
                await Task.Delay(pause, cancellation);
                foreach (var silo in cluster.SiloIndexes.Order().ToList())
                {
                    await RestartSiloAsync(context, report, phases, downtime, silo, stopTimeout);
                    await Task.Delay(pause, cancellation);
                }
                for (var gateway = 0; gateway < cluster.GatewayUrls.Count; gateway++)
                {
                    context.Progress($"restarting gateway {gateway + 1} gracefully");
                    phases.Begin($"gateway {gateway + 1} restarting");
                    var clock = Stopwatch.StartNew();
                    await cluster.RestartGatewayGracefullyAsync(gateway, stopTimeout);
                    report.Add("restarts", $"gateway {gateway + 1}: stopped and started again in", clock.Elapsed.TotalSeconds, "s");
                    phases.Begin($"gateway {gateway + 1} back");
                    await Task.Delay(pause, cancellation);
                }
            }
            finally
            {
                stopLoad.Cancel();
                await load;
                await watching;
                phases.End();
            }

            ReportDowntime(report, downtime);
            ChaosScenario.ReportClientView(report, phases, traffic);
            var failures = traffic.Attempts.All().Where(a => a.Outcome != "202").ToList();
            report.AddText("what clients saw", "every attempt that was not a 202, by kind", failures.Count == 0 ? "none" : Outcomes.Describe(failures));
            report.Add("what clients saw", "sends given up after every retry", traffic.Unconfirmed.Count, "sends");
            var wrong = failures.Where(a => a.Outcome != "503").ToList();
            report.Check(OnlyRetriableErrors, wrong.Count == 0, wrong.Count == 0 ? $"{failures.Count} retriable 503s, nothing else" : Outcomes.Describe(wrong));

            var connected = await SessionWatch.WaitAllConnectedAsync(apis[0], fleet.Sessions.Select(s => s.Id).ToList(), command.Seconds("recovery-timeout", 120, min: 1), cancellation);
            report.Check(AllConnectedAtEnd, connected == sessions, $"{connected}/{sessions} connected");
            context.Progress($"checking that the {traffic.Accepted.Count} accepted messages arrived exactly once");
            var delivery = await DeliveryAudit.RunAsync(apis[0], fleet.Sessions, traffic, command.Seconds("drain-timeout", 120, min: 1), concurrency, context.Progress, cancellation);
            DeliveryReporting.Add(report, delivery);
        }
        finally
        {
            foreach (var target in targets) target.Dispose();
        }
    }

    private static async Task RestartSiloAsync(ScenarioContext context, ScenarioReport report, PhaseLog phases, SessionDowntime downtime, int silo, TimeSpan stopTimeout)
    {
        var cluster = context.Cluster;
        context.Progress($"stopping silo {silo} gracefully");
        phases.Begin($"silo {silo} stopping");
        var before = cluster.RunningSiloAddresses();
        var clock = Stopwatch.StartNew();
        await cluster.StopSiloGracefullyAsync(silo, stopTimeout);
        // Sessions still registered on it from now on have no live host until failover revives them.
        downtime.SilosGone(before.Except(cluster.RunningSiloAddresses()));
        report.Add("restarts", $"silo {silo}: graceful stop took", clock.Elapsed.TotalSeconds, "s", note: "SIGTERM until the process exited (it hands its sessions over first)");
        phases.Begin($"silo {silo} starting again");
        await cluster.RestartSiloAsync(silo);
        phases.Begin($"silo {silo} back");
    }

    private static void ReportDowntime(ScenarioReport report, SessionDowntime downtime)
    {
        const string section = "sessions";
        var longest = downtime.Longest();
        var down = longest.Values.Where(s => s > 0).Order().ToList();
        report.Add(section, "sessions without a connected host at some point", down.Count, "sessions", note: $"of {longest.Count}, registry polled every {SessionDowntime.Interval.TotalMilliseconds:0} ms");
        if (down.Count == 0) return;
        report.Add(section, "longest time one session was not connected", down[^1], "s");
        report.Add(section, "… p95 over those sessions", down[Math.Clamp((int)Math.Ceiling(0.95 * down.Count) - 1, 0, down.Count - 1)], "s");
        report.Add(section, "… median over those sessions", down[(down.Count - 1) / 2], "s");
    }
}
