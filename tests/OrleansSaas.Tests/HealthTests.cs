using System.Net;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests;

public sealed class HealthTests
{
    [Fact]
    public async Task Gateway_and_silo_report_live_and_ready_the_silo_serves_the_dashboard_and_the_gateway_turns_unready_without_silos()
    {
        await using var cluster = await TestCluster.StartAsync(silos: 1);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        foreach (var baseUrl in new[] { cluster.GatewayUrl, cluster.SiloHealthUrls[1] })
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(baseUrl, "/health/live"))).StatusCode);
            var ready = await http.GetAsync(new Uri(baseUrl, "/health/ready"));
            Assert.True(ready.StatusCode == HttpStatusCode.OK, $"{baseUrl}: {await ready.Content.ReadAsStringAsync()}");
        }

        var dashboard = await http.GetAsync(new Uri(cluster.SiloHealthUrls[1], "/dashboard/"));
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Equal("text/html", dashboard.Content.Headers.ContentType?.MediaType);

        await cluster.StopSiloAsync(1);

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(cluster.GatewayUrl, "/health/live"))).StatusCode);
        var unready = await Api.EventuallyAsync(() => http.GetAsync(new Uri(cluster.GatewayUrl, "/health/ready")),
            r => r.StatusCode == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30), "the gateway to report the cluster gone");
        Assert.Contains("\"cluster\":{\"status\":\"unhealthy\"", await unready.Content.ReadAsStringAsync());
    }
}
