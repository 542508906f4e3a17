using System.Net;

namespace OrleansSaas.Tests.Outbound;

/// <summary>The operators' pages (/metrics, /dashboard) by default answer only on loopback, not on the machine's other addresses.</summary>
[Collection(OutboundClusterCollection.Name)]
public sealed class OperatorAccessTests(OutboundClusterFixture fixture)
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task The_silos_dashboard_and_metrics_are_not_served_on_its_public_address()
    {
        var port = fixture.Cluster.SiloHealthUrls[1].Port;
        var onPublic = $"http://{fixture.PublicAddress}:{port}";
        // The silo does answer there (health probes), so a 404 below is the rule, not an unreachable address.
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync($"{onPublic}/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync($"{onPublic}/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync($"{onPublic}/dashboard/")).StatusCode);

        var onLoopback = $"http://127.0.0.1:{port}";
        Assert.Contains("orleans_", await (await _http.GetAsync($"{onLoopback}/metrics")).Content.ReadAsStringAsync());
        Assert.True((await _http.GetAsync($"{onLoopback}/dashboard/")).IsSuccessStatusCode);
    }

    [Fact]
    public async Task The_gateways_metrics_are_not_served_on_its_public_address()
    {
        var port = fixture.LenientGatewayPort;
        var onPublic = $"http://{fixture.PublicAddress}:{port}";
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync($"{onPublic}/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync($"{onPublic}/metrics")).StatusCode);

        var metrics = await _http.GetAsync($"http://127.0.0.1:{port}/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Contains("http_server_request_duration", await metrics.Content.ReadAsStringAsync());
    }
}
