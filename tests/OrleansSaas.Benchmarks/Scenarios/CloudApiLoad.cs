using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using OrleansSaas.Benchmarks.Client;
using OrleansSaas.Benchmarks.Reporting;
using OrleansSaas.Benchmarks.Runner;
using OrleansSaas.Benchmarks.Workload;
using OrleansSaas.Tests.Infrastructure.CloudApi;

namespace OrleansSaas.Benchmarks.Scenarios;

/// <summary>
/// The load scenario on the Cloud API engine, against the fake Graph API the tool starts on loopback (the
/// silos' CloudApi:BaseUrl points at it). Each session is a business number of the fake; its peers first
/// write to it (signed webhooks, which open the 24-hour window), then the sessions send to them at the target
/// rate. Measured: accepted sends per second and their latency, the sends' arrival at the Graph API (each
/// accepted one exactly once), our webhook endpoint's answer time, and webhook → event latency (from the
/// fake posting a webhook to the event our log recorded for it).
/// </summary>
public static class CloudApiLoad
{
    public const string Engine = "cloud_api";
    // Below the pair rate's burst of 45, so the per-recipient pacing never holds a send back.
    private const int MessagesPerPeer = 40;

    public static Dictionary<string, string> SiloSettings(int fakePort) => new()
    {
        ["CloudApi__BaseUrl"] = $"http://127.0.0.1:{fakePort}",
        ["CloudApi__ApiVersion"] = FakeGraphApi.Version,
    };

    public static async Task RunAsync(ScenarioContext context, ScenarioReport report, int fakePort, int sessions, int messages, double rate, int concurrency)
    {
        var cancellation = context.Cancellation;
        await using var graph = await FakeGraphApi.StartAsync(fakePort);
        var api = await context.TenantAsync(sessions);

        context.Progress($"creating {sessions} cloud_api sessions on the fake Graph API");
        var setup = Stopwatch.StartNew();
        var numbers = new (string Id, FakeNumber Number)[sessions];
        await Parallel.ForEachAsync(Enumerable.Range(0, sessions), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellation }, async (i, token) =>
            numbers[i] = await CreateSessionAsync(api, graph, context.Gateway.Url, i, token));
        report.Add("sessions", "cloud_api sessions connected", sessions, "sessions");
        report.Add("sessions", "created and connected in", setup.Elapsed.TotalSeconds, "s");

        // Peers: digits as Meta sends them in wa_id; E.164 as our API takes them.
        var peersPerSession = Math.Max(1, (int)Math.Ceiling(messages / (double)sessions / MessagesPerPeer));
        var firstPeer = Random.Shared.Next(0, PhoneNumbers.Capacity - sessions * peersPerSession);
        string Peer(int session, int k) => PhoneNumbers.Number(firstPeer + session * peersPerSession + k);

        context.Progress($"{sessions * peersPerSession} peers write first (inbound webhooks; opens their 24-hour windows)");
        var startSeq = await NewestSeqAsync(api, cancellation);
        var inboundTexts = new ConcurrentDictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var run = Guid.NewGuid().ToString("N")[..8];
        await Parallel.ForEachAsync(Enumerable.Range(0, sessions * peersPerSession), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellation }, async (n, _) =>
        {
            var (session, k) = (n / peersPerSession, n % peersPerSession);
            var text = $"hello {run}-{n}";
            var json = FakeGraphApi.MessageJson(numbers[session].Number, Peer(session, k)[1..], FakeGraphApi.NewWamid(), "text", FakeGraphApi.TextObject(text));
            using var answer = await graph.PostWebhookAsync(numbers[session].Number, json);
            if (!answer.IsSuccessStatusCode) throw new InvalidOperationException($"The gateway answered an inbound webhook {(int)answer.StatusCode}.");
        });
        foreach (var post in graph.WebhookPosts) inboundTexts[TextOf(post.Json)] = post.PostedAt;
        var received = await WaitForEventsAsync(api, startSeq, "message.received", inboundTexts.Count, e => (string?)e["data"]?["text"], context.Progress, cancellation);
        ReportWebhookToEvent(report, "inbound webhook → message.received", inboundTexts, received);

        context.Progress($"sending {messages} messages at {(rate > 0 ? $"{rate:N0}/s" : "full speed")}, {concurrency} at once");
        var sendSeq = await NewestSeqAsync(api, cancellation);
        var webhooksBefore = graph.WebhookPosts.Count;
        var log = new RequestLog();
        var accepted = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal); // tokens answered 202
        var sendStartedAt = DateTimeOffset.UtcNow;
        var elapsed = await RateRunner.RunAsync(messages, rate, concurrency, async index =>
        {
            var session = (int)(index % sessions);
            var peer = Peer(session, (int)(index / sessions % peersPerSession));
            var token = $"{run}-{index}";
            var startedAt = DateTimeOffset.UtcNow;
            var reply = await api.SendTextAsync(numbers[session].Id, peer, MessageTraffic.TextPrefix + token, null, CancellationToken.None);
            log.Add(new RequestRecord(startedAt, reply.Milliseconds, reply.Outcome));
            if (reply.Status == 202) accepted[token] = true;
        }, cancellation);
        var sends = new CallStats(log.All(), elapsed);
        report.Add("send", "202 responses", sends.Count("202"), "");
        report.Add("send", "accepted (202/s)", sends.PerSecond("202"), "msg/s");
        if (sends.Latency("202") is { } latency)
        {
            report.Add("send", "accept latency p50", latency.P50, "ms");
            report.Add("send", "accept latency p95", latency.P95, "ms");
        }
        foreach (var (outcome, count) in Outcomes.Count(sends.Records).Where(o => o.Outcome != "202"))
            report.Add("send", $"responses {outcome}", count, "");

        context.Progress($"waiting for the {accepted.Count} accepted messages at the Graph API");
        var arrivedAt = await WaitForGraphAsync(graph, accepted.Count, context.Progress, cancellation);
        var atGraph = graph.Sends.Select(s => (string?)s["text"]?["body"]).Where(t => t?.StartsWith(MessageTraffic.TextPrefix, StringComparison.Ordinal) == true)
            .GroupBy(t => t![MessageTraffic.TextPrefix.Length..]).ToDictionary(g => g.Key, g => g.Count());
        var lost = accepted.Keys.Where(t => !atGraph.ContainsKey(t)).ToList();
        DeliveryReporting.Add(report, new DeliveryResult(accepted.Count, accepted.Count - lost.Count, lost.Count,
            atGraph.Values.Sum(n => n - 1), 0, 0, lost.Count == 0 ? arrivedAt : null, lost.Order().Take(10).ToList()));
        if (lost.Count == 0)
            report.Add("send", "at the Graph API/s end to end", accepted.Count / (arrivedAt - sendStartedAt).TotalSeconds, "msg/s", note: "first send → last accepted message at the fake");

        // The fake answers each send with sent → delivered → read webhooks; each becomes one event of ours.
        var statusPosts = graph.WebhookPosts.Skip(webhooksBefore).Where(p => StatusOf(p.Json).Status == "delivered")
            .ToDictionary(p => StatusOf(p.Json).MessageId ?? "", p => p.PostedAt, StringComparer.Ordinal);
        var delivered = await WaitForEventsAsync(api, sendSeq, "message.delivered", statusPosts.Count, e => (string?)e["data"]?["id"], context.Progress, cancellation);
        ReportWebhookToEvent(report, "status webhook → message.delivered", statusPosts, delivered);
        var answers = graph.WebhookPosts.Select(p => p.AnswerMilliseconds).ToList();
        if (LatencySummary.Of(answers) is { } answered)
        {
            report.Add("webhooks in", "our 200 to Meta p50", answered.P50, "ms", Goal.AtMost(250, "median ≤ 250 ms (Meta's bar)"));
            report.Add("webhooks in", "our 200 to Meta p95", answered.P95, "ms");
        }
        report.Add("webhooks in", "webhooks posted by the fake", graph.WebhookPosts.Count, "");
        report.Add("webhooks in", "answered other than 200", graph.WebhookPosts.Count(p => p.Status != 200), "", Goal.AtMost(0, "0"));
    }

    private static async Task<(string Id, FakeNumber Number)> CreateSessionAsync(GatewayApi api, FakeGraphApi graph, Uri gateway, int index, CancellationToken cancellation)
    {
        var number = graph.AddNumber();
        var settings = new { phoneNumberId = number.PhoneNumberId, accessToken = number.AccessToken, appSecret = number.AppSecret, verifyToken = "bench-" + index };
        var created = (await ApiCall.WithRetriesAsync(() => api.CreateEngineSessionAsync($"bench-cloud-{index}", Engine, "cloudApi", settings, cancellation), 5, cancellation))
            .Expect(201, $"creating cloud_api session {index}");
        var id = (string)created["id"]!;
        number.WebhookUrl = new Uri(gateway, (string)created["webhookUrl"]!).ToString();
        var clock = Stopwatch.StartNew();
        while ((string?)created["status"] != "connected")
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException($"Session {id} did not connect within 60 s.");
            await Task.Delay(50, cancellation);
            created = (await api.GetSessionAsync(id, cancellation)).Body ?? created;
        }
        return (id, number);
    }

    private static async Task<DateTimeOffset> WaitForGraphAsync(FakeGraphApi graph, int expected, Action<string> progress, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var count = graph.Sends.Count(s => ((string?)s["text"]?["body"])?.StartsWith(MessageTraffic.TextPrefix, StringComparison.Ordinal) == true);
            if (count >= expected || clock.Elapsed > TimeSpan.FromMinutes(2)) return DateTimeOffset.UtcNow;
            progress($"{count}/{expected} at the Graph API");
            await Task.Delay(500, cancellation);
        }
    }

    private static async Task<long> NewestSeqAsync(GatewayApi api, CancellationToken cancellation)
    {
        for (long after = 0; ;)
        {
            var page = (await api.ListEventsAsync(after, null, 1000, cancellation)).Expect(200, "reading the event log");
            var next = (long)page["next"]!;
            if (next == after) return after;
            after = next;
        }
    }

    /// <summary>Reads events of a type after a position until <paramref name="expected"/> keys are seen (or two minutes pass); key → occurredAt.</summary>
    private static async Task<Dictionary<string, DateTimeOffset>> WaitForEventsAsync(GatewayApi api, long after, string type, int expected,
        Func<JsonNode, string?> key, Action<string> progress, CancellationToken cancellation)
    {
        var seen = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        while (seen.Count < expected && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            var page = (await api.ListEventsAsync(after, type, 1000, cancellation)).Expect(200, "reading the event log");
            foreach (var item in page["items"]!.AsArray())
                if (key(item!) is { } k) seen.TryAdd(k, DateTimeOffset.Parse((string)item!["occurredAt"]!, System.Globalization.CultureInfo.InvariantCulture));
            var next = (long)page["next"]!;
            if (next == after)
            {
                progress($"{seen.Count}/{expected} {type} events");
                await Task.Delay(500, cancellation);
            }
            after = next;
        }
        return seen;
    }

    private static void ReportWebhookToEvent(ScenarioReport report, string name, IReadOnlyDictionary<string, DateTimeOffset> posted, IReadOnlyDictionary<string, DateTimeOffset> events)
    {
        var latencies = posted.Where(p => events.ContainsKey(p.Key)).Select(p => Math.Max(0, (events[p.Key] - p.Value).TotalMilliseconds)).ToList();
        report.Add("webhook → event", $"{name}: events", latencies.Count, "");
        report.Check($"every {name}", latencies.Count == posted.Count, $"{latencies.Count} of {posted.Count} webhooks became their event");
        if (LatencySummary.Of(latencies) is { } summary)
        {
            report.Add("webhook → event", $"{name} p50", summary.P50, "ms");
            report.Add("webhook → event", $"{name} p95", summary.P95, "ms");
        }
    }

    private static string TextOf(string webhook) => (string?)JsonNode.Parse(webhook)?["entry"]?[0]?["changes"]?[0]?["value"]?["messages"]?[0]?["text"]?["body"] ?? "";

    private static (string? Status, string? MessageId) StatusOf(string webhook)
    {
        var status = JsonNode.Parse(webhook)?["entry"]?[0]?["changes"]?[0]?["value"]?["statuses"]?[0];
        return ((string?)status?["status"], (string?)status?["biz_opaque_callback_data"]);
    }
}
