using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;

namespace OrleansSaas.Tests.Infrastructure;

/// <summary>One request a receiver got, and the status it answered.</summary>
public sealed record ReceivedWebhook(int Number, string EventId, string EventType, string Timestamp, string Signature, string Body, int Answered)
{
    public JsonNode Json => JsonNode.Parse(Body)!;
    public long Seq => (long)Json["seq"]!;
    public string SessionId => (string)Json["sessionId"]!;
    public bool Accepted => Answered is >= 200 and < 300;
}

/// <summary>
/// A real HTTP receiver on loopback. Its port is fixed at construction, so it can be down (not listening:
/// connections are refused) and come back at the same URL.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private HttpListener? _listener;
    private Task? _loop;
    private int _count;

    public int Port { get; } = PostgresServer.FreePort();
    public string Url => $"http://127.0.0.1:{Port}/hook";

    /// <summary>The status to answer, by request number (1-based).</summary>
    public Func<int, int> Respond { get; set; } = _ => 200;

    public IReadOnlyList<ReceivedWebhook> Received => _received.ToArray();

    public IReadOnlyList<ReceivedWebhook> Accepted => Received.Where(r => r.Accepted).ToList();

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        receiver.Start();
        await Task.CompletedTask;
        return receiver;
    }

    public void Start()
    {
        _listener = new HttpListener();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        var listener = _listener;
        _loop = Task.Run(() => ServeAsync(listener));
    }

    public async Task StopAsync()
    {
        if (_listener is null) return;
        _listener.Stop();
        _listener.Close();
        _listener = null;
        try { await _loop!; } catch (Exception) { /* the listener was closed under the loop */ }
    }

    private async Task ServeAsync(HttpListener listener)
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await listener.GetContextAsync(); }
            catch (Exception) { return; }
            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            var number = Interlocked.Increment(ref _count);
            var status = Respond(number);
            var headers = context.Request.Headers;
            _received.Enqueue(new ReceivedWebhook(number, headers["OrleansSaas-Event-Id"] ?? "", headers["OrleansSaas-Event-Type"] ?? "",
                headers["OrleansSaas-Timestamp"] ?? "", headers["OrleansSaas-Signature"] ?? "", body, status));
            context.Response.StatusCode = status;
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
