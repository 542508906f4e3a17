using OrleansSaas.Benchmarks.Cli;
using OrleansSaas.Benchmarks.Client;
using OrleansSaas.Benchmarks.Reporting;
using OrleansSaas.Benchmarks.Runner;
using OrleansSaas.Benchmarks.Workload;

namespace OrleansSaas.Benchmarks.Scenarios;

/// <summary>
/// Sessions and message throughput: pair N sessions (QR-ready and pairing times, memory per session), measure
/// the bare GET /v1/ping as the reference, send M messages between the sessions at a target rate, and check
/// every accepted message arrived exactly once.
/// </summary>
public sealed class LoadScenario : IScenario
{
    public string Name => "load";

    public string Summary => "pair N sessions, send M messages between them at a rate; latency, throughput, memory, delivery";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("silos", "1", "silos to start"),
        new("sessions", "1000", "sessions to create and pair"),
        new("messages", "20000", "messages to send"),
        new("rate", "1000", "target sends per second (0 = as fast as the concurrency allows)"),
        new("concurrency", "64", "most requests in flight at once"),
        new("setup-concurrency", "32", "sessions created and paired at once"),
        new("ping-requests", "min(messages, 10000)", "GET /v1/ping requests per reference measurement"),
        new("warmup-messages", "min(messages / 4, 5000)", "messages sent first at the same rate and concurrency, not timed (the JIT's tiers and the database's caches settle); they are checked for delivery like the rest"),
        new("drain-timeout", "120", "seconds to wait for every accepted message to arrive"),
        new("engine", "simulated", "simulated, or cloud_api: sessions on the Cloud API engine against a fake Graph API the tool starts"),
    ];

    // The fake Graph API's port, chosen when the cluster is planned: the silos are configured with it before it starts.
    private int _graphPort;

    private static bool OnCloudApi(CommandLine command) => command.Text("engine") switch
    {
        null or "simulated" => false,
        CloudApiLoad.Engine => true,
        var other => throw new UsageException($"--engine must be simulated or {CloudApiLoad.Engine}, not '{other}'."),
    };

    public ClusterPlan PlanCluster(CommandLine command)
    {
        var sessions = Sessions(command);
        // Room for every session on any one silo: capacity is not what this scenario measures.
        var settings = new Dictionary<string, string> { ["Silo__MaxSessions"] = Math.Max(10_000, sessions).ToString() };
        if (OnCloudApi(command))
        {
            _graphPort = Tests.Infrastructure.PostgresServer.FreePort();
            foreach (var (key, value) in CloudApiLoad.SiloSettings(_graphPort)) settings[key] = value;
        }
        // The Cloud API engine's silos must point at the tool's own fake Graph API.
        return new ClusterPlan(command.Int("silos", 1, min: 1, max: 16), settings, NeedsOwnCluster: OnCloudApi(command));
    }

    private static int Sessions(CommandLine command) => command.Int("sessions", 1000, min: 2, max: 100_000);

    public async Task RunAsync(ScenarioContext context, ScenarioReport report)
    {
        var command = context.Command;
        var sessions = Sessions(command);
        var messages = command.Int("messages", 20_000, min: 1);
        var rate = command.Double("rate", 1000);
        var concurrency = command.Int("concurrency", 64, min: 1, max: 10_000);
        var pingRequests = command.Int("ping-requests", Math.Min(messages, 10_000), min: 1);
        var warmup = command.Int("warmup-messages", Math.Min(messages / 4, 5_000), min: 0);
        var drainTimeout = command.Seconds("drain-timeout", 120, min: 1);
        foreach (var (key, value) in new (string, object)[]
                 {
                     ("sessions", sessions), ("messages", messages), ("rate", rate),
                     ("concurrency", concurrency), ("ping-requests", pingRequests), ("warmup-messages", warmup),
                 })
            report.Parameters[key] = value.ToString()!;
        var cancellation = context.Cancellation;
        if (OnCloudApi(command))
        {
            report.Parameters["engine"] = CloudApiLoad.Engine;
            await CloudApiLoad.RunAsync(context, report, _graphPort, sessions, messages, rate, concurrency);
            return;
        }

        var api = await context.TenantAsync(sessions);
        var admin = context.Admin;
        var memoryBefore = admin is null ? null : await SiloLoads.TotalMemoryAsync(admin, cancellation);

        context.Progress($"creating and pairing {sessions} sessions");
        var fleet = await SessionFleet.CreateAsync(api, sessions, command.Int("setup-concurrency", 32, min: 1), context.Progress, cancellation);
        ReportSessions(report, fleet);
        if (admin is not null) await ReportSilosAsync(report, admin, memoryBefore, sessions, cancellation);

        context.Progress($"reference: {pingRequests} GET /v1/ping at {RateText(rate)}, then as fast as {concurrency} at once allow");
        var pingAtRate = await MeasureAsync(pingRequests, rate, concurrency, api.PingAsync, cancellation);
        var pingMax = await MeasureAsync(pingRequests, 0, concurrency, api.PingAsync, cancellation);
        ReportCalls(report, "ping", pingAtRate, "200", latencyGoal: null);
        report.Add("ping", "throughput, unthrottled", pingMax.PerSecond("200"), "req/s");
        report.Add("ping", "latency p50, unthrottled", pingMax.Latency("200")?.P50, "ms");
        foreach (var (outcome, count) in Outcomes.Count(pingMax.Records).Where(o => o.Outcome != "200"))
            report.Add("ping", $"responses {outcome}, unthrottled", count, "");

        var traffic = new MessageTraffic(api, fleet.Sessions, retries: 0);
        var own = context.OwnCluster;
        if (warmup > 0)
        {
            context.Progress($"warming up: {warmup} messages at {RateText(rate)}, {concurrency} at once, not timed");
            await RateRunner.RunAsync(warmup, rate, concurrency, index => traffic.SendAsync(index, cancellation), cancellation);
            if (own is not null) await own.WaitSettledAsync(drainTimeout, cancellation);
        }
        var warmupAccepted = traffic.Accepted.Count;

        context.Progress($"sending {messages} messages at {RateText(rate)}, {concurrency} at once");
        if (own is not null) await own.ResetStatementsAsync();
        var costBefore = own is null ? null : await own.CostAsync();
        var sendStartedAt = DateTimeOffset.UtcNow;
        var sendElapsed = await RateRunner.RunAsync(messages, rate, concurrency, index => traffic.SendAsync(warmup + index, cancellation), cancellation);
        var sends = new CallStats(traffic.Attempts.Between(sendStartedAt, DateTimeOffset.MaxValue), sendElapsed);
        var measuredAccepted = traffic.Accepted.Count - warmupAccepted;
        ReportCalls(report, "send", sends, "202", rate > 0 ? Goal.Below(50, "p95 < 50 ms at 1,000 msg/s") : null);
        if (rate > 0) report.Notes.Add($"Sends were paced at {rate:N0}/s; the accepted rate cannot exceed it. Run with --rate 0 for the maximum.");
        else report.Add("send", "accepted, unthrottled", sends.PerSecond("202"), "msg/s", Goal.AtLeast(2500, "≥ 2,500 msg/s durable (aim 5,000)"));

        var sendLatency = sends.Latency("202");
        if (sendLatency is not null && pingAtRate.Latency("200") is { } pingLatency)
            report.Add("send vs ping", "send p50 / ping p50 (same rate and concurrency)", sendLatency.P50 / pingLatency.P50, "×");
        if (pingMax.PerSecond("200") is > 0 and var pingThroughput)
            report.Add("send vs ping", "accepted/s as a share of unthrottled ping/s", 100 * sends.PerSecond("202") / pingThroughput, "%",
                rate > 0 ? null : Goal.AtLeast(15, "≥ 15 % of ping"));

        if (own is not null && costBefore is not null)
        {
            context.Progress("waiting for the messages to settle in the database (delivered, receipts in, events numbered)");
            var settled = await own.WaitSettledAsync(drainTimeout, cancellation);
            var settledAt = DateTimeOffset.UtcNow;
            CostReporting.Add(report, costBefore, await own.CostAsync(), await own.StatementsAsync(30), await own.WalRecordsAsync(costBefore, 8), measuredAccepted,
                settled ? settledAt - sendStartedAt : null, rate);
        }

        context.Progress($"checking that the {traffic.Accepted.Count} accepted messages arrived exactly once");
        var delivery = await DeliveryAudit.RunAsync(api, fleet.Sessions, traffic, drainTimeout, concurrency, context.Progress, cancellation);
        ReportDelivery(report, delivery, measuredAccepted, sendStartedAt, sendStartedAt + sendElapsed);
    }

    private static string RateText(double rate) => rate > 0 ? $"{rate:N0}/s" : "full speed";

    private static async Task<CallStats> MeasureAsync(int count, double rate, int concurrency, Func<CancellationToken, Task<ApiReply>> call, CancellationToken cancellation)
    {
        var log = new RequestLog();
        var elapsed = await RateRunner.RunAsync(count, rate, concurrency, async _ =>
        {
            var startedAt = DateTimeOffset.UtcNow;
            var reply = await call(CancellationToken.None);
            log.Add(new RequestRecord(startedAt, reply.Milliseconds, reply.Outcome));
        }, cancellation);
        return new CallStats(log.All(), elapsed);
    }

    private static void ReportSessions(ScenarioReport report, SessionFleet fleet)
    {
        report.Add("sessions", "connected", fleet.Sessions.Count, "sessions", Goal.AtLeast(10_000, "10,000 on one 2-core machine"));
        report.Add("sessions", "created and paired in", fleet.Elapsed.TotalSeconds, "s");
        var qr = LatencySummary.Of(fleet.QrReadyMilliseconds)!;
        report.Add("sessions", "QR ready p50 (create → QR available)", qr.P50, "ms");
        report.Add("sessions", "QR ready p95", qr.P95, "ms", Goal.Below(500, "p95 < 500 ms"));
        var pairing = LatencySummary.Of(fleet.PairingMilliseconds)!;
        report.Add("sessions", "scan → connected p50", pairing.P50, "ms");
        report.Add("sessions", "scan → connected p95", pairing.P95, "ms");
        foreach (var (outcome, count) in Outcomes.Count(fleet.Calls.All()).Where(o => o.Outcome is not ("200" or "201")))
            report.Add("sessions", $"setup responses {outcome} (retried)", count, "");
    }

    private static async Task ReportSilosAsync(ScenarioReport report, AdminApi admin, long? memoryBefore, int sessions, CancellationToken cancellation)
    {
        // Silos report their session counts every 2 s and memory is a filtered statistic: let both catch up.
        await Task.Delay(TimeSpan.FromSeconds(3), cancellation);
        var memoryAfter = await SiloLoads.TotalMemoryAsync(admin, cancellation);
        if (memoryBefore is { } before && memoryAfter is { } after)
            report.Add("sessions", "memory per connected session", (after - before) / 1024.0 / sessions, "KiB", Goal.AtMost(20, "≤ 20 KB per idle session"),
                note: "silo memory growth over the pairing / sessions");
        if (await admin.ListSilosAsync(cancellation) is { Count: > 1 } silos)
            report.Add("sessions", "balance after creation (max/min per silo)", SiloLoads.BalanceRatio(silos), "", note: SiloLoads.Describe(silos));
    }

    private static void ReportCalls(ScenarioReport report, string section, CallStats calls, string success, Goal? latencyGoal)
    {
        report.Add(section, $"{success} responses", calls.Count(success), "");
        report.Add(section, $"throughput ({success}/s)", calls.PerSecond(success), "req/s");
        if (calls.Latency(success) is { } latency)
        {
            report.Add(section, "latency p50", latency.P50, "ms");
            report.Add(section, "latency p95", latency.P95, "ms", latencyGoal);
            report.Add(section, "latency p99", latency.P99, "ms");
        }
        foreach (var (outcome, count) in Outcomes.Count(calls.Records).Where(o => o.Outcome != success))
            report.Add(section, $"responses {outcome}", count, "");
    }

    /// <param name="measured">Messages accepted in the timed phase; any loss is counted against them, though it may be the warm-up's.</param>
    private static void ReportDelivery(ScenarioReport report, DeliveryResult delivery, int measured, DateTimeOffset sendStartedAt, DateTimeOffset sendEndedAt)
    {
        DeliveryReporting.Add(report, delivery);
        if (delivery.AllArrivedAt is { } arrived)
        {
            report.Add("delivery", "delivered/s end to end", Math.Max(0, measured - delivery.Lost) / (arrived - sendStartedAt).TotalSeconds, "msg/s",
                note: "first send → audit saw the last arrival");
            report.Add("delivery", "last arrival seen after the last send", Math.Max(0, (arrived - sendEndedAt).TotalSeconds), "s");
        }
    }
}
