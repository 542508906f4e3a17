using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using OrleansSaas.Contracts.Messaging;
using OrleansSaas.Contracts.Sessions;

namespace OrleansSaas.Observability;

/// <summary>
/// Every OrleansSaas metric, on one meter. Code records through the methods below, so instrument names,
/// units and tags are decided here once. Tags are low-cardinality on purpose (status, direction, reason,
/// silo, HTTP status code): never a tenant, session or message id, a key, or any message content.
/// </summary>
public static class Telemetry
{
    public const string MeterName = "OrleansSaas";

    private static readonly Meter Meter = new(MeterName, "1.0");

    // Per-process state behind the observable gauges: a scrape reads these numbers, it never queries anything.
    private static readonly ConcurrentDictionary<(string Silo, SessionStatus Status), StrongBox> Sessions = new();
    private static long _queuedMessages;
    private static int _sendQueues;

    private static readonly Counter<long> MessagesAccepted = Meter.CreateCounter<long>("orleanssaas.messages.accepted", "{message}",
        "Messages taken in: outbound ones committed to a send queue (the 202), inbound ones stored from the network.");
    private static readonly Counter<long> MessagesSent = Meter.CreateCounter<long>("orleanssaas.messages.sent", "{message}",
        "Outbound messages the network accepted.");
    private static readonly Counter<long> MessagesDelivered = Meter.CreateCounter<long>("orleanssaas.messages.delivered", "{message}",
        "Outbound messages the recipient's phone confirmed (delivery receipt).");
    private static readonly Counter<long> MessagesFailed = Meter.CreateCounter<long>("orleanssaas.messages.failed", "{message}",
        "Outbound messages that failed for good.");
    private static readonly Histogram<double> SendLatency = Meter.CreateHistogram<double>("orleanssaas.messages.send_latency", "ms",
        "Time from a message being queued to the network accepting it.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000] });
    private static readonly Histogram<double> QrToConnected = Meter.CreateHistogram<double>("orleanssaas.sessions.qr_to_connected", "s",
        "Time from a session's first QR code to its phone being connected.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120] });
    private static readonly Counter<long> WebhookAttempts = Meter.CreateCounter<long>("orleanssaas.webhook.attempts", "{attempt}",
        "Webhook delivery attempts, successful or not.");
    private static readonly Counter<long> WebhookFailures = Meter.CreateCounter<long>("orleanssaas.webhook.failures", "{attempt}",
        "Webhook delivery attempts that failed (non-2xx, timeout or network error).");
    private static readonly Histogram<double> WebhookLatency = Meter.CreateHistogram<double>("orleanssaas.webhook.latency", "ms",
        "Duration of one webhook delivery attempt.");
    private static readonly Counter<long> PlacementRejections = Meter.CreateCounter<long>("orleanssaas.placement.rejections", "{activation}",
        "Session activations refused because a silo or the whole cluster hosts its maximum number of sessions.");
    private static readonly Counter<long> FailoverReactivations = Meter.CreateCounter<long>("orleanssaas.failover.reactivations", "{session}",
        "Sessions brought back by the failover keeper after their silo died or the cluster restarted.");

    static Telemetry()
    {
        Meter.CreateObservableGauge("orleanssaas.sessions", ObserveSessions, "{session}",
            "Sessions active on each silo, by status.");
        Meter.CreateObservableGauge("orleanssaas.messages.queued", ObserveQueue, "{message}",
            "Outbound messages waiting in the send queues of the sessions active on this silo.");
    }

    // ---- sessions ----

    /// <summary>A session activation on <paramref name="silo"/> moved between statuses; null means "not counted" (not active, or deleted).</summary>
    public static void SessionStatusChanged(string silo, SessionStatus? from, SessionStatus? to)
    {
        if (from == to) return;
        if (from is { } left) Interlocked.Decrement(ref Sessions.GetOrAdd((silo, left), _ => new StrongBox()).Value);
        if (to is { } entered) Interlocked.Increment(ref Sessions.GetOrAdd((silo, entered), _ => new StrongBox()).Value);
    }

    public static void PairingCompleted(TimeSpan sinceFirstQr) => QrToConnected.Record(sinceFirstQr.TotalSeconds);

    public static void SessionReactivated() => FailoverReactivations.Add(1);

    /// <param name="reason">"silo_full" (this silo at its maximum) or "cluster_full" (no silo has room).</param>
    public static void PlacementRejected(string reason) => PlacementRejections.Add(1, new KeyValuePair<string, object?>("reason", reason));

    // ---- messages ----

    public static void MessageAccepted(MessageDirection direction) =>
        MessagesAccepted.Add(1, new KeyValuePair<string, object?>("direction", direction == MessageDirection.Inbound ? "inbound" : "outbound"));

    public static void MessageSent(TimeSpan sinceQueued)
    {
        MessagesSent.Add(1);
        SendLatency.Record(sinceQueued.TotalMilliseconds);
    }

    public static void MessageDelivered() => MessagesDelivered.Add(1);

    /// <param name="reason">A fixed error code such as "rejected_by_network"; never free text.</param>
    public static void MessageFailed(string reason) => MessagesFailed.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>A send queue on this silo grew (positive) or shrank (negative) by <paramref name="messages"/>.</summary>
    public static void SendQueueChanged(long messages)
    {
        Volatile.Write(ref _sendQueues, 1);
        Interlocked.Add(ref _queuedMessages, messages);
    }

    // ---- webhooks ----

    /// <summary>One webhook delivery attempt. <paramref name="statusCode"/> is the HTTP status, or null when no response came (timeout, network error).</summary>
    public static void WebhookAttempt(double latencyMs, bool success, int? statusCode)
    {
        var tags = new TagList { { "outcome", success ? "success" : "failure" } };
        if (statusCode is { } code) tags.Add("http.response.status_code", code);
        WebhookAttempts.Add(1, tags);
        WebhookLatency.Record(latencyMs, tags);
        if (!success) WebhookFailures.Add(1, tags);
    }

    // ---- gauges ----

    private static IEnumerable<Measurement<long>> ObserveSessions() =>
        Sessions.Select(entry => new Measurement<long>(Volatile.Read(ref entry.Value.Value),
            new KeyValuePair<string, object?>("status", StatusName(entry.Key.Status)),
            new KeyValuePair<string, object?>("silo", entry.Key.Silo)));

    // Only a silo runs send queues; the gateway reports no such series rather than a misleading zero.
    private static IEnumerable<Measurement<long>> ObserveQueue() =>
        Volatile.Read(ref _sendQueues) == 0 ? [] : [new Measurement<long>(Interlocked.Read(ref _queuedMessages))];

    // The API's spelling of each status (snake_case), so dashboards and the REST API agree.
    private static string StatusName(SessionStatus status) => status switch
    {
        SessionStatus.Created => "created",
        SessionStatus.Pairing => "pairing",
        SessionStatus.Connected => "connected",
        SessionStatus.Disconnected => "disconnected",
        SessionStatus.LoggedOut => "logged_out",
        _ => "unknown",
    };

    private sealed class StrongBox
    {
        public long Value;
    }
}
