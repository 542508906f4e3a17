using OrleansSaas.Benchmarks.Cli;
using OrleansSaas.Benchmarks.Reporting;
using OrleansSaas.Benchmarks.Runner;
using OrleansSaas.Benchmarks.Workload;

namespace OrleansSaas.Benchmarks.Scenarios;

/// <summary>
/// Event delivery: a local receiver subscribes to message.received; sessions send to each other at a target
/// rate, so the receiving sessions record inbound messages at that rate; every inbound message is one event.
/// Reports events/s delivered and the latency from the event being recorded to its arrival at the receiver.
/// </summary>
public sealed class WebhooksScenario : IScenario
{
    public const string AllArrived = "every inbound message's event arrived at the receiver";

    public string Name => "webhooks";

    public string Summary => "inbound messages at a rate, each a message.received webhook to a local receiver; events/s, latency";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("silos", "1", "silos to start"),
        new("sessions", "200", "sessions to create and pair (they send to each other)"),
        new("messages", "20000", "messages to send, so inbound messages (and events) to deliver"),
        new("rate", "1000", "target sends per second"),
        new("concurrency", "64", "most send requests in flight at once"),
        new("setup-concurrency", "32", "sessions created and paired at once"),
        new("drain-timeout", "120", "seconds to wait for every event to arrive"),
    ];

    public ClusterPlan PlanCluster(CommandLine command) =>
        new(command.Int("silos", 1, min: 1, max: 16), new Dictionary<string, string>(), NeedsOwnCluster: false);

    public async Task RunAsync(ScenarioContext context, ScenarioReport report)
    {
        var command = context.Command;
        var sessions = command.Int("sessions", 200, min: 2, max: 100_000);
        var messages = command.Int("messages", 20_000, min: 1);
        var rate = command.Double("rate", 1000);
        var concurrency = command.Int("concurrency", 64, min: 1, max: 10_000);
        foreach (var (key, value) in new (string, object)[] { ("sessions", sessions), ("messages", messages), ("rate", rate), ("concurrency", concurrency) })
            report.Parameters[key] = value.ToString()!;
        var cancellation = context.Cancellation;

        using var receiver = new EventReceiver();
        var api = await context.TenantAsync(sessions);
        (await api.CreateWebhookAsync(receiver.Url, ["message.received"], cancellation)).Expect(201, "create the webhook subscription");

        context.Progress($"creating and pairing {sessions} sessions");
        var fleet = await SessionFleet.CreateAsync(api, sessions, command.Int("setup-concurrency", 32, min: 1), context.Progress, cancellation);

        context.Progress($"sending {messages} messages at {rate:N0}/s, {concurrency} at once");
        var traffic = new MessageTraffic(api, fleet.Sessions, retries: 0);
        var sendElapsed = await RateRunner.RunAsync(messages, rate, concurrency, index => traffic.SendAsync(index, cancellation), cancellation);
        var accepted = traffic.Accepted.Count;
        report.Add("inbound", "messages accepted", accepted, "");
        report.Add("inbound", "accepted/s", accepted / sendElapsed.TotalSeconds, "msg/s");

        context.Progress($"waiting for {accepted} message.received events at the receiver");
        var deadline = DateTimeOffset.UtcNow + command.Seconds("drain-timeout", 120, min: 1);
        while (Distinct(receiver) < accepted && DateTimeOffset.UtcNow < deadline)
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellation);

        var arrived = receiver.Arrived.Where(a => a.Type == "message.received").ToList();
        var first = arrived.DistinctBy(a => a.EventId).ToList();
        report.Add("delivery", "events delivered", first.Count, "");
        report.Add("delivery", "requests received (retries included)", arrived.Count, "");
        if (first.Count > 1)
        {
            var span = first.Max(a => a.ArrivedAt) - first.Min(a => a.ArrivedAt);
            report.Add("delivery", "events/s delivered", first.Count / Math.Max(span.TotalSeconds, 0.001), "events/s", note: "first to last arrival");
            var latency = LatencySummary.Of(first.Select(a => (a.ArrivedAt - a.OccurredAt).TotalMilliseconds))!;
            report.Add("delivery", "event → delivery p50", latency.P50, "ms", note: "occurredAt (recorded by the platform) → arrival");
            report.Add("delivery", "event → delivery p95", latency.P95, "ms");
            report.Add("delivery", "event → delivery p99", latency.P99, "ms");
        }
        report.Check(AllArrived, first.Count == accepted, $"{first.Count}/{accepted} events arrived");
    }

    private static int Distinct(EventReceiver receiver) => receiver.Arrived.Where(a => a.Type == "message.received").Select(a => a.EventId).Distinct().Count();
}
