using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OrleansSaas.Tests.Outbound;

/// <summary>
/// A TCP listener that counts the connections it accepts (so a test can show that nothing connected at all, not
/// only that no request arrived) and answers each with a fixed HTTP response.
/// </summary>
public sealed class CountingListener : IDisposable
{
    private readonly TcpListener _listener;
    private readonly string _response;
    private int _connections;

    /// <param name="location">When given, every request is answered with a 307 redirect there; otherwise 200.</param>
    public CountingListener(IPAddress address, string? location = null)
    {
        _listener = new TcpListener(address, 0);
        _listener.Start();
        _response = location is null
            ? "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            : $"HTTP/1.1 307 Temporary Redirect\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Connections => Volatile.Read(ref _connections);

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync();
                Interlocked.Increment(ref _connections);
                _ = AnswerAsync(client);
            }
        }
        catch (Exception error) when (error is SocketException or ObjectDisposedException)
        {
            // stopped
        }
    }

    private async Task AnswerAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var buffer = new byte[8192];
                var read = 0;
                // Up to the end of the request's headers; the bodies the tests send are small and ignored.
                while (read < buffer.Length && !Encoding.ASCII.GetString(buffer, 0, read).Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var n = await stream.ReadAsync(buffer.AsMemory(read));
                    if (n == 0) return;
                    read += n;
                }
                await stream.WriteAsync(Encoding.ASCII.GetBytes(_response));
            }
            catch (IOException)
            {
                // the client went away
            }
        }
    }

    public void Dispose() => _listener.Stop();
}
