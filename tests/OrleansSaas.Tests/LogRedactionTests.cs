using System.Net;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests;

/// <summary>Whatever a client puts in a query string (keys, phone numbers) never reaches the logs verbatim, however verbose they are.</summary>
[Collection(SharedClusterCollection.Name)]
public sealed class LogRedactionTests(SharedClusterFixture fixture)
{
    [Fact]
    public async Task Query_strings_are_not_logged_even_with_every_request_log_turned_on()
    {
        var cluster = fixture.Cluster;
        var url = await cluster.StartExtraGatewayAsync(new Dictionary<string, string>
        {
            ["Logging__LogLevel__Default"] = "Information",
            ["Logging__LogLevel__Microsoft"] = "Information",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Information",
            ["Logging__LogLevel__OrleansSaas"] = "Information",
            ["Logging__LogLevel__OrleansSaas.Gateway.RequestLog"] = "Information",
            // Even asked for by name, for the console provider, ASP.NET Core's own request lines stay off.
            ["Logging__Console__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Trace",
        });
        var gateway = cluster.ExtraGateways[^1];
        using var client = cluster.CreateClient();
        client.BaseAddress = url;
        const string phone = "12015559876";

        await client.GetAsync($"/v1/sessions?api_key={cluster.ApiKey}");
        await client.GetAsync($"/v1/sessions?admin_key={cluster.AdminKey}");
        await client.GetAsync($"/v1/sessions/ses_doesnotexist/messages?peer=%2B{phone}");
        await client.GetAsync("/v1/no-such-route?token=hunter2-secret");
        using var anonymous = new HttpClient { BaseAddress = url };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/v1/sessions?key={cluster.ApiKey}")).StatusCode);

        // The request log still has the requests, without their query strings.
        await Api.EventuallyAsync(() => Task.FromResult(gateway.OutputContains("/v1/no-such-route")), seen => seen, TimeSpan.FromSeconds(30), "the request log line");
        await Task.Delay(500); // the console logger writes from a queue
        foreach (var secret in new[] { cluster.ApiKey, cluster.AdminKey, phone, "hunter2" })
            Assert.False(gateway.OutputContains(secret), $"'{secret}' is in the gateway's log:\n{gateway.Output()}");
        Assert.True(gateway.OutputContains("GET /v1/sessions"), gateway.Output());
    }
}
