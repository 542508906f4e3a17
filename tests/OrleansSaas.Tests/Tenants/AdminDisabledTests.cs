using System.Net;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.Tenants;

/// <summary>A gateway without Admin:ApiKey (the bootstrap key): its own cluster, since the shared one has the admin API on.</summary>
public sealed class AdminDisabledTests
{
    [Fact]
    public async Task Without_a_bootstrap_admin_key_configured_no_key_opens_the_admin_api_and_tenant_routes_still_work()
    {
        await using var cluster = await TestCluster.StartAsync(gatewaySettings: new Dictionary<string, string> { ["Admin__ApiKey"] = "" });

        foreach (var header in new[] { "X-Admin-Key", "X-Api-Key" })
        {
            using var client = new HttpClient { BaseAddress = cluster.GatewayUrl };
            client.DefaultRequestHeaders.Add(header, header == "X-Api-Key" ? cluster.ApiKey : cluster.AdminKey);
            var problem = await (await client.GetAsync("/v1/admin/tenants")).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
            // A presented admin key could be a named one issued earlier (none here), so it is "not valid"; no admin key at all: "disabled".
            Assert.Contains(header == "X-Admin-Key" ? "valid admin key" : "disabled", (string?)problem["title"]);
        }
        using var tenant = cluster.CreateClient();
        await (await tenant.GetAsync("/v1/sessions")).ReadJsonAsync(HttpStatusCode.OK);
    }
}
