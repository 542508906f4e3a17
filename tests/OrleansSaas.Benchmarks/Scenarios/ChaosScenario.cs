using System.Diagnostics;
using OrleansSaas.Benchmarks.Cli;
using OrleansSaas.Benchmarks.Client;
using OrleansSaas.Benchmarks.Reporting;
using OrleansSaas.Benchmarks.Runner;
using OrleansSaas.Benchmarks.Workload;

namespace OrleansSaas.Benchmarks.Scenarios;

/// <summary>
/// Failure under load, on a cluster of its own: kill -9 a silo (how long until its sessions are connected
/// again), start it again (how long until sessions are balanced, with POST /v1/admin/rebalance as the fallback),
/// restart PostgreSQL (what clients saw meanwhile) — and afterwards, every accepted message delivered once.
/// </summary>
public sealed class ChaosScenario : IScenario
{
    public const string SessionsBack = "sessions back after kill -9";
    public const string AcceptedAfterPostgres = "sends accepted again after the PostgreSQL restart";
    public const string AllConnectedAtEnd = "every session connected at the end";
    public const string NoServerErrors = "no 500 answer to any send, whatever failed";
    private const double BalanceGoal = 1.2;
    private const double KillRecoveryGoal = 10;
    private const double LongestCallGoal = 5;

    public string Name => "chaos";

    public string Summary => "under load: kill -9 a silo, start it again, restart PostgreSQL; recovery, balance, what clients saw, nothing lost";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("silos", "3", "silos to start (at least 2)"),
        new("sessions", "300", "sessions to create and pair"),
        new("rate", "200", "sends per second during the whole run"),
        new("concurrency", "32", "most requests in flight at once"),
        new("setup-concurrency", "32", "sessions created and paired at once"),
        new("retries", "3", "times a failed send is retried (same Idempotency-Key)"),
        new("victim", "1", "the silo to kill -9 (1 = the oldest, which leads failover)"),
        new("warmup", "5", "seconds of load before the kill, and after the PostgreSQL restart"),
        new("recovery-timeout", "120", "seconds to wait for sessions (and sends) to come back"),
        new("settle", "30", "seconds to wait for balance after the silo rejoins, before calling POST /v1/admin/rebalance"),
        new("pg-downtime", "5", "seconds PostgreSQL stays down"),
        new("drain-timeout", "120", "seconds to wait for every accepted message to arrive"),
    ];

    public ClusterPlan PlanCluster(CommandLine command) =>
        new(command.Int("silos", 3, min: 2, max: 16),
            new Dictionary<string, string> { ["Silo__MaxSessions"] = Math.Max(10_000, Sessions(command)).ToString() }, NeedsOwnCluster: true);

    private static int Sessions(CommandLine command) => command.Int("sessions", 300, min: 2, max: 100_000);

    public async Task RunAsync(ScenarioContext context, ScenarioReport report)
    {
        var command = context.Command;
        var cancellation = context.Cancellation;
        var sessions = Sessions(command);
        var rate = command.Double("rate", 200, min: 0.1);
        var concurrency = command.Int("concurrency", 32, min: 1, max: 10_000);
        var retries = command.Int("retries", 3, min: 0, max: 100);
        var victim = command.Int("victim", 1, min: 1);
        var warmup = command.Seconds("warmup", 5);
        var recoveryTimeout = command.Seconds("recovery-timeout", 120, min: 1);
        foreach (var (key, value) in new (string, object)[]
                 {
                     ("sessions", sessions), ("rate", rate), ("concurrency", concurrency),
                     ("retries", retries), ("victim", victim), ("warmup", warmup.TotalSeconds), ("settle", command.Double("settle", 30)),
                     ("pg-downtime", command.Double("pg-downtime", 5)),
                 })
            report.Parameters[key] = value.ToString()!;

        var cluster = context.Cluster;
        var api = await context.TenantAsync(sessions);
        context.Progress($"creating and pairing {sessions} sessions");
        var fleet = await SessionFleet.CreateAsync(api, sessions, command.Int("setup-concurrency", 32, min: 1), context.Progress, cancellation);
        var victims = fleet.Sessions.Where(s => cluster.SiloIndexOf(s.Silo) == victim).ToList();
        if (victims.Count == 0) throw new InvalidOperationException($"Silo {victim} hosts none of the run's sessions; choose another with --victim.");

        var phases = new PhaseLog();
        var traffic = new MessageTraffic(api, fleet.Sessions, retries);
        using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        context.Progress($"load: {rate:N0} sends/s, {concurrency} at once, {retries} retries per send");
        phases.Begin("steady load");
        var load = RateRunner.RunAsync(long.MaxValue, rate, concurrency, index => traffic.SendAsync(index, stopLoad.Token), stopLoad.Token);
        try
        {
            await Task.Delay(warmup, cancellation);
            await KillSiloAsync(context, report, phases, traffic, victim, victims, recoveryTimeout);
            await RejoinAsync(context, report, phases, victim, command.Seconds("settle", 30));
            await RestartPostgresAsync(context, report, phases, traffic, command.Seconds("pg-downtime", 5), recoveryTimeout);
            await Task.Delay(warmup, cancellation);
        }
        finally
        {
            stopLoad.Cancel();
            await load;
            phases.End();
        }
        ReportClientView(report, phases, traffic);
        var serverErrors = traffic.Attempts.All().Count(a => a.Outcome == "500");
        report.Add("what clients saw", "500 answers", serverErrors, "responses", Goal.AtMost(0, "0"));
        report.Check(NoServerErrors, serverErrors == 0, serverErrors == 0 ? "outages answer 503 with Retry-After" : $"{serverErrors} sends answered 500");

        var connected = await SessionWatch.WaitAllConnectedAsync(api, fleet.Sessions.Select(s => s.Id).ToList(), recoveryTimeout, cancellation);
        report.Check(AllConnectedAtEnd, connected == sessions, $"{connected}/{sessions} connected");

        context.Progress($"checking that the {traffic.Accepted.Count} accepted messages arrived exactly once");
        var delivery = await DeliveryAudit.RunAsync(api, fleet.Sessions, traffic, command.Seconds("drain-timeout", 120, min: 1), concurrency, context.Progress, cancellation);
        DeliveryReporting.Add(report, delivery);
    }

    private static async Task KillSiloAsync(ScenarioContext context, ScenarioReport report, PhaseLog phases, MessageTraffic traffic, int victim,
        IReadOnlyList<FleetSession> victims, TimeSpan timeout)
    {
        context.Progress($"kill -9 silo {victim}, which hosts {victims.Count} of the run's sessions");
        var killedAt = phases.Begin("silo killed, until its sessions are back");
        context.Cluster.KillSilo(victim);
        var (back, deadAt) = await WaitReconnectedAsync(context, victims.Select(s => s.Id).ToList(), victims[0].Silo, killedAt, timeout);
        var backAt = DateTimeOffset.UtcNow;

        const string section = "silo kill -9";
        report.Add(section, "sessions on the killed silo", victims.Count, "sessions");
        report.Add(section, "declared dead by membership after", deadAt is { } dead ? (dead - killedAt).TotalSeconds : null, "s",
            note: deadAt is null ? "not seen in the membership table" : "failure detection (membership table polled every 250 ms)");
        report.Add(section, "sessions connected again", back.Count, "sessions");
        if (back.Count > 0)
        {
            var seconds = back.Values.Select(at => (at - killedAt).TotalSeconds).Order().ToList();
            report.Add(section, "first session connected again after", seconds[0], "s",
                note: deadAt is { } declared ? $"{seconds[0] - (declared - killedAt).TotalSeconds:0.0} s after the death was declared" : null);
            report.Add(section, "half of them connected again after", seconds[(seconds.Count - 1) / 2], "s");
            if (back.Count == victims.Count)
                report.Add(section, "every session connected again after", seconds[^1], "s", Goal.Below(KillRecoveryGoal, $"< {KillRecoveryGoal} s"), note: "registry time of each reconnect");
        }
        // Calls that started before the sessions were back, however long they then took.
        var duringKill = traffic.Attempts.Between(killedAt, backAt);
        report.Add(section, "longest client call during the kill", duringKill.Count == 0 ? null : duringKill.Max(a => a.Milliseconds) / 1000, "s",
            Goal.AtMost(LongestCallGoal, $"≤ {LongestCallGoal} s"), note: Outcomes.Describe(duringKill));
        // Where the time went, as the survivors logged it (their clocks are this machine's; times of day in UTC).
        var since = killedAt.ToString("HH:mm:ss.fff");
        IEnumerable<(int Silo, string Line)> Logged(string text, int most) => context.Cluster.SiloLogLines(text)
            .Where(l => l.Line.Length >= 12 && string.CompareOrdinal(l.Line[..12], since) >= 0).Take(most);
        var log = Logged("Did not get response for probe", 2).Concat(Logged("Evicting", 2)).Concat(Logged("SessionKeeper", 12))
            .OrderBy(l => l.Line[..12], StringComparer.Ordinal).ToList();
        if (log.Count > 0)
            report.Notes.Add($"Failover as the survivors logged it (kill -9 at {killedAt:HH:mm:ss.fff}):\n" +
                string.Join("\n", log.Select(l => $"    silo{l.Silo}: {(l.Line.Length > 220 ? l.Line[..220] + "…" : l.Line)}")));
        report.Check(SessionsBack, back.Count == victims.Count, $"{back.Count}/{victims.Count} sessions of the killed silo connected on another silo within {timeout.TotalSeconds:0} s");
    }

    /// <summary>
    /// Polls the session registry until every session is connected on another silo; returns when each reconnected,
    /// and when the membership table first showed the dead silo declared dead.
    /// </summary>
    private static async Task<(Dictionary<string, DateTimeOffset> Back, DateTimeOffset? DeadAt)> WaitReconnectedAsync(ScenarioContext context,
        IReadOnlyCollection<string> sessionIds, string deadSilo, DateTimeOffset killedAt, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        Dictionary<string, DateTimeOffset> back = [];
        DateTimeOffset? deadAt = null;
        while (back.Count < sessionIds.Count && clock.Elapsed < timeout)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), context.Cancellation);
            if (deadAt is null && await context.Cluster.IsDeclaredDeadAsync(deadSilo)) deadAt = DateTimeOffset.UtcNow;
            back = await context.Cluster.ConnectedElsewhereSinceAsync(sessionIds, deadSilo, killedAt);
            if (clock.Elapsed - lastReport > TimeSpan.FromSeconds(5))
            {
                context.Progress($"{back.Count}/{sessionIds.Count} sessions of the killed silo connected again");
                lastReport = clock.Elapsed;
            }
        }
        return (back, deadAt);
    }

    private static async Task RejoinAsync(ScenarioContext context, ScenarioReport report, PhaseLog phases, int victim, TimeSpan settle)
    {
        const string section = "silo rejoins";
        var admin = context.Admin!;
        context.Progress($"starting silo {victim} again");
        phases.Begin("sessions back, killed silo starting again");
        await context.Cluster.RestartSiloAsync(victim);
        var joinedAt = phases.Begin("silo rejoined");
        var silos = context.Cluster.SiloIndexes.Count;

        var timeline = new List<(double Seconds, double Ratio)>();
        var (balancedAfter, last) = await WaitBalancedAsync(admin, silos, settle, timeline, context.Cancellation);
        report.AddText(section, "balance over time after the join (max/min)", Timeline(timeline));
        if (balancedAfter is { } seconds)
            report.Add(section, $"balanced (max/min ≤ {BalanceGoal}) after the join", seconds, "s", Goal.AtMost(settle.TotalSeconds, $"≤ {settle.TotalSeconds:0} s, no manual call"));
        else
        {
            report.AddText(section, $"balanced (max/min ≤ {BalanceGoal}) after the join", $"not within {settle.TotalSeconds:0} s ({SiloLoads.Describe(last)})");
            context.Progress("not balanced; calling POST /v1/admin/rebalance once");
            var rebalance = await admin.RebalanceAsync(context.Cancellation);
            if (rebalance.Status == 404) report.AddText(section, "POST /v1/admin/rebalance", "not available (404)");
            else
            {
                report.AddText(section, "POST /v1/admin/rebalance", $"answered {rebalance.Outcome}");
                var calledAt = DateTimeOffset.UtcNow;
                (balancedAfter, last) = await WaitBalancedAsync(admin, silos, settle, [], context.Cancellation);
                report.Add(section, "balanced after the rebalance call", balancedAfter, "s",
                    note: balancedAfter is null ? $"not within {settle.TotalSeconds:0} s" : $"{(calledAt - joinedAt).TotalSeconds + balancedAfter:0.0} s after the join");
            }
        }
        report.Add(section, "balance at the end (max/min sessions per silo)", SiloLoads.BalanceRatio(last), "", Goal.AtMost(BalanceGoal, $"≤ {BalanceGoal}"),
            note: SiloLoads.Describe(last));
    }

    /// <summary>
    /// Seconds until every silo is active and the sessions are balanced; null when that did not happen in time. Also
    /// the last reading; every reading's ratio goes into <paramref name="timeline"/>.
    /// </summary>
    private static async Task<(double? Seconds, IReadOnlyList<SiloInfo> Last)> WaitBalancedAsync(AdminApi admin, int silos, TimeSpan timeout,
        List<(double Seconds, double Ratio)> timeline, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        IReadOnlyList<SiloInfo> last = [];
        while (true)
        {
            last = await admin.ListSilosAsync(cancellation) ?? last;
            timeline.Add((clock.Elapsed.TotalSeconds, last.Count(s => s.IsActive) == silos ? SiloLoads.BalanceRatio(last) : double.PositiveInfinity));
            if (last.Count(s => s.IsActive) == silos && SiloLoads.BalanceRatio(last) <= BalanceGoal) return (clock.Elapsed.TotalSeconds, last);
            if (clock.Elapsed > timeout) return (null, last);
            await Task.Delay(TimeSpan.FromSeconds(1), cancellation);
        }
    }

    /// <summary>The first reading of every 5 s after the join, e.g. "0 s: ∞, 5 s: 1.71, 10 s: 1.18".</summary>
    private static string Timeline(IEnumerable<(double Seconds, double Ratio)> readings) =>
        string.Join(", ", readings.GroupBy(r => (int)(r.Seconds / 5)).Select(g => g.First())
            .Select(r => $"{r.Seconds:0} s: {(double.IsInfinity(r.Ratio) ? "∞" : r.Ratio.ToString("0.00"))}"));

    private static async Task RestartPostgresAsync(ScenarioContext context, ScenarioReport report, PhaseLog phases, MessageTraffic traffic,
        TimeSpan downtime, TimeSpan timeout)
    {
        const string section = "PostgreSQL restart";
        context.Progress($"stopping PostgreSQL (fast shutdown) for {downtime.TotalSeconds:0} s");
        var stoppedAt = phases.Begin("PostgreSQL stopping and down");
        await context.Cluster.StopPostgresAsync();
        await Task.Delay(downtime, context.Cancellation);
        context.Progress("starting PostgreSQL again on the same data and port");
        await context.Cluster.StartPostgresAsync();
        var startedAt = phases.Begin("PostgreSQL back, until a send is accepted");
        report.Add(section, "PostgreSQL unavailable for", (startedAt - stoppedAt).TotalSeconds, "s", note: "stop, downtime, start");

        var clock = Stopwatch.StartNew();
        DateTimeOffset? firstAccepted;
        while ((firstAccepted = traffic.Attempts.FirstWith("202", startedAt)) is null && clock.Elapsed < timeout)
            await Task.Delay(TimeSpan.FromMilliseconds(100), context.Cancellation);
        phases.Begin("after the PostgreSQL restart");
        report.Add(section, "first send accepted after PostgreSQL was back", firstAccepted is { } at ? (at - startedAt).TotalSeconds : null, "s",
            note: firstAccepted is null ? $"none within {timeout.TotalSeconds:0} s" : null);
        report.Check(AcceptedAfterPostgres, firstAccepted is not null,
            firstAccepted is null ? $"no 202 within {timeout.TotalSeconds:0} s" : "sends are accepted again");
    }

    /// <summary>
    /// What the sending client saw, by the phase each attempt (retries included) started in: outcomes, the
    /// accepted latency and the longest wait. With every worker stuck in a slow request, a phase starts none.
    /// </summary>
    internal static void ReportClientView(ScenarioReport report, PhaseLog phases, MessageTraffic traffic)
    {
        foreach (var (name, start, end) in phases.All)
        {
            var attempts = traffic.Attempts.Between(start, end);
            var accepted = LatencySummary.Of(attempts.Where(a => a.Outcome == "202").Select(a => a.Milliseconds));
            report.AddText("what clients saw", $"{name} ({(end - start).TotalSeconds:0.0} s)",
                Outcomes.Describe(attempts) + (accepted is null ? "" : $"; 202 p95 {accepted.P95:0} ms") +
                (attempts.Count == 0 ? "" : $"; longest {attempts.Max(a => a.Milliseconds) / 1000:0.0} s"));
        }
    }
}
