using System.Net;
using System.Net.Sockets;

namespace OrleansSaas.Console.Tests;

/// <summary>A webhook receiver on loopback that answers every POST with 200 and counts them.</summary>
public sealed class LocalReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private int _received;

    public LocalReceiver()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Url = $"http://127.0.0.1:{port}/hooks/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _ = ServeAsync();
    }

    public string Url { get; }
    public int Received => Volatile.Read(ref _received);

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); } catch { return; }
            Interlocked.Increment(ref _received);
            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }

    public void Dispose() => _listener.Close();
}
