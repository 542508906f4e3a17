using System.Diagnostics;
using OrleansSaas.Benchmarks.Cli;
using OrleansSaas.Benchmarks.Reporting;
using OrleansSaas.Benchmarks.Runner;
using OrleansSaas.Benchmarks.Target;
using OrleansSaas.Benchmarks.Workload;

namespace OrleansSaas.Benchmarks.Scenarios;

/// <summary>
/// PostgreSQL failover under load, on a primary with a synchronous standby: kill -9 the primary, promote the
/// standby with pg_ctl promote (what Patroni would do after its leader key expired), and measure how long
/// until sends are accepted again, what clients saw meanwhile, and that every accepted message arrives once.
/// </summary>
public sealed class FailoverDbScenario : IScenario
{
    public const string AcceptedAfterPromotion = "sends accepted again after the promotion";
    public const string NoServerErrors = "no 500 answer to any send during the failover";
    public const string AllConnectedAtEnd = "every session connected at the end";

    public string Name => "failover-db";

    public string Summary => "under load: kill -9 the PostgreSQL primary, promote the synchronous standby; time to accept again, nothing lost";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("silos", "2", "silos to start"),
        new("sessions", "100", "sessions to create and pair"),
        new("rate", "100", "sends per second during the whole run"),
        new("concurrency", "32", "most requests in flight at once"),
        new("setup-concurrency", "32", "sessions created and paired at once"),
        new("retries", "10", "times a failed send is retried (same Idempotency-Key)"),
        new("warmup", "5", "seconds of load before the kill, and after sends are accepted again"),
        new("promote-after", "2", "seconds between the kill and pg_ctl promote (an operator's tool first makes sure the primary is gone)"),
        new("recovery-timeout", "120", "seconds to wait for sends (and sessions) to come back"),
        new("drain-timeout", "120", "seconds to wait for every accepted message to arrive"),
    ];

    public ClusterPlan PlanCluster(CommandLine command) =>
        new(command.Int("silos", 2, min: 1, max: 16),
            new Dictionary<string, string> { ["Silo__MaxSessions"] = Math.Max(10_000, Sessions(command)).ToString() }, NeedsOwnCluster: true)
        { Database = DatabaseTopology.PrimaryAndStandby };

    private static int Sessions(CommandLine command) => command.Int("sessions", 100, min: 2, max: 100_000);

    public async Task RunAsync(ScenarioContext context, ScenarioReport report)
    {
        var command = context.Command;
        var sessions = Sessions(command);
        var rate = command.Double("rate", 100, min: 0.1);
        var concurrency = command.Int("concurrency", 32, min: 1, max: 10_000);
        var retries = command.Int("retries", 10, min: 0, max: 100);
        var warmup = command.Seconds("warmup", 5);
        var promoteAfter = command.Seconds("promote-after", 2);
        var recoveryTimeout = command.Seconds("recovery-timeout", 120, min: 1);
        foreach (var (key, value) in new (string, object)[]
                 {
                     ("sessions", sessions), ("rate", rate), ("concurrency", concurrency), ("retries", retries),
                     ("warmup", warmup.TotalSeconds), ("promote-after", promoteAfter.TotalSeconds),
                 })
            report.Parameters[key] = value.ToString()!;

        var api = await context.TenantAsync(sessions);
        context.Progress($"creating and pairing {sessions} sessions");
        var fleet = await SessionFleet.CreateAsync(api, sessions, command.Int("setup-concurrency", 32, min: 1), context.Progress, context.Cancellation);

        var phases = new PhaseLog();
        var traffic = new MessageTraffic(api, fleet.Sessions, retries);
        using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation);
        context.Progress($"load: {rate:N0} sends/s, {concurrency} at once, {retries} retries per send");
        phases.Begin("steady load");
        var load = RateRunner.RunAsync(long.MaxValue, rate, concurrency, index => traffic.SendAsync(index, stopLoad.Token), stopLoad.Token);
        try
        {
            await Task.Delay(warmup, context.Cancellation);
            await FailOverAsync(context, report, phases, traffic, promoteAfter, recoveryTimeout);
            await Task.Delay(warmup, context.Cancellation);
        }
        finally
        {
            stopLoad.Cancel();
            await load;
            phases.End();
        }
        ChaosScenario.ReportClientView(report, phases, traffic);
        var serverErrors = traffic.Attempts.All().Count(a => a.Outcome == "500");
        report.Check(NoServerErrors, serverErrors == 0, serverErrors == 0 ? "the failover answered 503 with Retry-After" : $"{serverErrors} sends answered 500");

        var connected = await SessionWatch.WaitAllConnectedAsync(api, fleet.Sessions.Select(s => s.Id).ToList(), recoveryTimeout, context.Cancellation);
        report.Check(AllConnectedAtEnd, connected == sessions, $"{connected}/{sessions} connected");

        context.Progress($"checking that the {traffic.Accepted.Count} accepted messages arrived exactly once");
        var delivery = await DeliveryAudit.RunAsync(api, fleet.Sessions, traffic, command.Seconds("drain-timeout", 120, min: 1), concurrency, context.Progress, context.Cancellation);
        DeliveryReporting.Add(report, delivery);
    }

    private static async Task FailOverAsync(ScenarioContext context, ScenarioReport report, PhaseLog phases, MessageTraffic traffic,
        TimeSpan promoteAfter, TimeSpan timeout)
    {
        const string section = "PostgreSQL failover";
        context.Progress("kill -9 of the PostgreSQL primary");
        var killedAt = phases.Begin("primary killed, standby not yet promoted");
        await context.Cluster.KillPrimaryAsync();
        await Task.Delay(promoteAfter, context.Cancellation);
        context.Progress("pg_ctl promote on the standby");
        var promoting = Stopwatch.StartNew();
        await context.Cluster.PromoteStandbyAsync();
        report.Add(section, "pg_ctl promote took", promoting.Elapsed.TotalSeconds, "s");
        var promotedAt = phases.Begin("standby promoted, until a send is accepted");

        var firstAccepted = await FirstAcceptedAsync(traffic, promotedAt, timeout, context.Cancellation);
        phases.Begin("after the failover");
        report.Add(section, "first send accepted after the kill", firstAccepted is { } a ? (a - killedAt).TotalSeconds : null, "s",
            Goal.Below(30, "< 30 s"), note: $"the standby was promoted {(promotedAt - killedAt).TotalSeconds:0.0} s after the kill");
        report.Add(section, "first send accepted after the promotion", firstAccepted is { } b ? (b - promotedAt).TotalSeconds : null, "s",
            note: firstAccepted is null ? $"none within {timeout.TotalSeconds:0} s" : null);
        report.Check(AcceptedAfterPromotion, firstAccepted is not null,
            firstAccepted is null ? $"no 202 within {timeout.TotalSeconds:0} s" : "sends are accepted again on the promoted standby");
    }

    /// <summary>When the first send started after <paramref name="after"/> was accepted; null when none was within the timeout.</summary>
    internal static async Task<DateTimeOffset?> FirstAcceptedAsync(MessageTraffic traffic, DateTimeOffset after, TimeSpan timeout, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        DateTimeOffset? first;
        while ((first = traffic.Attempts.FirstWith("202", after)) is null && clock.Elapsed < timeout)
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellation);
        return first;
    }
}
