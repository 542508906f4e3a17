using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace OrleansSaas.Benchmarks.Workload;

/// <summary>One webhook request as it arrived: its event, when the platform recorded the event, and when it got here.</summary>
public sealed record ArrivedEvent(string EventId, string Type, DateTimeOffset OccurredAt, DateTimeOffset ArrivedAt);

/// <summary>A webhook receiver on loopback that answers 200 at once and notes what arrived when.</summary>
public sealed class EventReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<ArrivedEvent> _arrived = new();
    private readonly Task _loop;

    public EventReceiver()
    {
        var port = FreePort();
        Url = $"http://127.0.0.1:{port}/events";
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        // Several accept loops, so a slow request never holds up the next delivery.
        _loop = Task.WhenAll(Enumerable.Range(0, Environment.ProcessorCount * 4).Select(_ => Task.Run(ServeAsync)));
    }

    public string Url { get; }

    public IReadOnlyCollection<ArrivedEvent> Arrived => _arrived;

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            var arrivedAt = DateTimeOffset.UtcNow;
            using (var reader = new StreamReader(context.Request.InputStream))
            {
                var body = JsonNode.Parse(await reader.ReadToEndAsync())!;
                _arrived.Enqueue(new ArrivedEvent((string)body["id"]!, (string)body["type"]!,
                    DateTimeOffset.Parse((string)body["occurredAt"]!, CultureInfo.InvariantCulture), arrivedAt));
            }
            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { /* closed under the loops */ }
    }
}
