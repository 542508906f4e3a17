using System.Net;
using System.Net.Http.Json;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.Cluster;

/// <summary>Bad input to the cluster operation and audit routes: problem+json naming the field, never a 500.</summary>
[Collection(OperationsClusterCollection.Name)]
public sealed class ClusterAdminInputTests(OperationsClusterFixture fixture)
{
    private TestCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task Moves_name_the_silo_field_when_it_is_missing_unknown_or_draining()
    {
        using var admin = Cluster.CreateAdminClient();
        using var client = Cluster.CreateClient();
        var silos = await admin.ReportedSilosAsync(2);
        var id = (string)(await client.CreateSessionAsync())["id"]!;
        var host = (await client.GetSessionAsync(id)).Silo();
        var other = silos.Single(s => s != host);
        var move = $"/v1/admin/sessions/demo/{id}/move";

        await (await admin.PostAsync(move, null)).AssertProblemNamingAsync("silo");
        await (await admin.PostAsJsonAsync(move, new { })).AssertProblemNamingAsync("silo");
        await (await admin.PostAsJsonAsync(move, new { silo = "" })).AssertProblemNamingAsync("silo");
        await (await admin.PostAsJsonAsync(move, new { silo = other, speed = 1 })).AssertProblemNamingAsync("speed");
        await (await admin.PostAsJsonAsync(move, new { silo = 42 })).AssertProblemNamingAsync("silo");
        await (await admin.PostAsJsonAsync(move, new { silo = "127.0.0.1:1@1" })).AssertProblemNamingAsync("silo", HttpStatusCode.UnprocessableEntity);
        await (await admin.PostAsJsonAsync(move, new { silo = "not a silo" })).AssertProblemNamingAsync("silo", HttpStatusCode.UnprocessableEntity);
        await (await admin.PostAsJsonAsync("/v1/admin/sessions/demo/ses_missing/move", new { silo = other })).AssertProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await admin.PostAsJsonAsync($"/v1/admin/sessions/ten_other/{id}/move", new { silo = other })).AssertProblemAsync(HttpStatusCode.NotFound, "not-found");

        await (await admin.PostAsync($"/v1/admin/silos/{Uri.EscapeDataString(other)}/drain", null)).ReadJsonAsync(HttpStatusCode.OK);
        try
        {
            var draining = await (await admin.PostAsJsonAsync(move, new { silo = other })).AssertProblemNamingAsync("silo", HttpStatusCode.UnprocessableEntity);
            Assert.Contains("draining", (string?)draining["detail"]);
            // Its only peer is draining: nowhere to put the sessions.
            await (await admin.PostAsync($"/v1/admin/silos/{Uri.EscapeDataString(host)}/drain", null)).AssertProblemAsync(HttpStatusCode.Conflict, "cluster-state");
        }
        finally
        {
            await (await admin.PostAsync($"/v1/admin/silos/{Uri.EscapeDataString(other)}/undrain", null)).ReadJsonAsync(HttpStatusCode.OK);
        }
        await (await admin.PostAsync("/v1/admin/silos/nope/undrain", null)).AssertProblemAsync(HttpStatusCode.NotFound, "not-found");
        Assert.Equal(host, (await client.GetSessionAsync(id)).Silo());
    }

    [Theory]
    [InlineData("actor=nobody", "actor")]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=soon", "to")]
    [InlineData("from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "to")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1000", "limit")]
    [InlineData("limit=many", "limit")]
    [InlineData("cursor=abc", "cursor")]
    [InlineData("tenant=not%20a%20tenant", "tenant")]
    public async Task Audit_filters_that_cannot_match_name_their_field(string query, string field)
    {
        using var admin = Cluster.CreateAdminClient();
        await (await admin.GetAsync($"/v1/admin/audit?{query}")).AssertProblemNamingAsync(field);
        if (field == "tenant") return; // tenants read only their own log: no tenant filter
        using var client = Cluster.CreateClient();
        await (await client.GetAsync($"/v1/audit?{query}")).AssertProblemNamingAsync(field);
    }

    [Fact]
    public async Task Each_audit_route_takes_only_its_own_kind_of_key()
    {
        using var admin = Cluster.CreateAdminClient();
        using var client = Cluster.CreateClient();
        await (await client.GetAsync("/v1/admin/audit")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await admin.GetAsync("/v1/audit")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await client.PostAsync("/v1/admin/rebalance", null)).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }
}
