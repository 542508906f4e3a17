using System.Net.Sockets;
using System.Text;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests;

/// <summary>Requests no HttpClient would send, written on a socket: the server's answer is still problem+json.</summary>
[Collection(SharedClusterCollection.Name)]
public sealed class RawRequestTests(SharedClusterFixture fixture)
{
    [Theory]
    [InlineData("/v1/sessions", "X-Note: caf\u00e9\r\n", "X-Note")]
    [InlineData("/v1/sessions", "X-Note: \u00ff\u00fe\r\n", "X-Note")]
    public async Task Non_ASCII_header_bytes_get_a_400_problem_naming_the_header(string path, string extraHeaders, string header)
    {
        var url = fixture.Cluster.GatewayUrl;
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(url.Host, url.Port);
        await using var stream = tcp.GetStream();
        var request = $"GET {path} HTTP/1.1\r\nHost: {url.Authority}\r\nX-Api-Key: {fixture.Cluster.ApiKey}\r\n{extraHeaders}Connection: close\r\n\r\n";
        // Latin-1: each char one byte, so é goes out as the single non-ASCII byte 0xE9.
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request));

        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.StartsWith("HTTP/1.1 400", response);
        Assert.Contains("Content-Type: application/problem+json", response);
        Assert.Contains($"\"{header}\"", response);
    }
}
