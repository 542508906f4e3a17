using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.Admin;

/// <summary>Named admin keys: issued once in plain, listed without secrets, used, audited by name, revoked.</summary>
[Collection(SharedClusterCollection.Name)]
public sealed class OperatorKeyTests(SharedClusterFixture fixture)
{
    private TestCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task A_named_key_is_issued_used_audited_by_name_and_refused_once_revoked()
    {
        using var bootstrap = Cluster.CreateAdminClient();
        var name = $"alice-{Guid.NewGuid():N}"[..16];
        var issued = await (await bootstrap.PostAsJsonAsync("/v1/admin/keys", new { name })).ReadJsonAsync(HttpStatusCode.Created);
        var keyId = (string)issued["id"]!;
        var plain = (string)issued["key"]!;
        Assert.Matches($"^oak_{keyId}_[0-9a-f]{{64}}$", plain);
        Assert.Equal("bootstrap", (string?)issued["createdBy"]);

        var listed = await ListAsync(bootstrap);
        Assert.Contains(listed, k => (string?)k["id"] == "bootstrap");
        var entry = listed.Single(k => (string?)k["id"] == keyId);
        Assert.Equal(name, (string?)entry["name"]);
        Assert.Null(entry["lastUsedAt"]);
        Assert.All(listed, k => Assert.Null(k["key"]));
        Assert.All(listed, k => Assert.Null(k["secretHash"]));

        // The named key acts like the bootstrap one, and the audit log names it.
        using var alice = AdminClient(plain);
        var tenant = await (await alice.PostAsJsonAsync("/v1/admin/tenants", new { name = "by alice" })).ReadJsonAsync(HttpStatusCode.Created);
        var tenantId = (string)tenant["id"]!;
        await (await alice.PostAsync($"/v1/admin/tenants/{tenantId}/suspend", null)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.NotNull((await ListAsync(bootstrap)).Single(k => (string?)k["id"] == keyId)["lastUsedAt"]);

        // Written before the response, so it is there at once (no waiting).
        var audit = (await (await bootstrap.GetAsync($"/v1/admin/audit?actor={keyId}")).ReadJsonAsync(HttpStatusCode.OK))["items"]!.AsArray();
        Assert.Equal(new[] { "POST /v1/admin/tenants/{tenantId}/suspend", "POST /v1/admin/tenants" }, audit.Select(e => (string)e!["action"]!));
        Assert.All(audit, e =>
        {
            Assert.Equal("admin", (string?)e!["actor"]);
            Assert.Equal(keyId, (string?)e["keyId"]);
            Assert.Equal(name, (string?)e["details"]!["keyName"]);
        });
        Assert.Equal(tenantId, (string?)audit[0]!["tenantId"]);
        Assert.Equal(0, await Cluster.QueryScalarAsync<long>("SELECT count(*) FROM audit_log WHERE audit_log::text LIKE @key", ("key", $"%{plain[^64..]}%")));
        Assert.Equal(0, await Cluster.QueryScalarAsync<long>("SELECT count(*) FROM admin_keys WHERE admin_keys::text LIKE @key", ("key", $"%{plain[^64..]}%")));

        // A live name is taken; revoking frees it and stops the key at once.
        await (await bootstrap.PostAsJsonAsync("/v1/admin/keys", new { name })).AssertProblemAsync(HttpStatusCode.Conflict);
        var revoked = await (await bootstrap.PostAsync($"/v1/admin/keys/{keyId}/revoke", null)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.NotNull(revoked["revokedAt"]);
        var again = await (await bootstrap.PostAsync($"/v1/admin/keys/{keyId}/revoke", null)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal((string?)revoked["revokedAt"], (string?)again["revokedAt"]);
        await (await alice.GetAsync("/v1/admin/tenants")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await alice.PostAsJsonAsync("/v1/admin/keys", new { name = "sneaky" })).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await bootstrap.PostAsJsonAsync("/v1/admin/keys", new { name })).ReadJsonAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Keys_issued_by_a_named_key_name_it_and_bad_requests_are_refused()
    {
        using var bootstrap = Cluster.CreateAdminClient();
        var first = await (await bootstrap.PostAsJsonAsync("/v1/admin/keys", new { name = $"ops-{Guid.NewGuid():N}"[..12] })).ReadJsonAsync(HttpStatusCode.Created);
        using var ops = AdminClient((string)first["key"]!);
        var second = await (await ops.PostAsJsonAsync("/v1/admin/keys", new { name = $"ci-{Guid.NewGuid():N}"[..12] })).ReadJsonAsync(HttpStatusCode.Created);
        Assert.Equal((string?)first["name"], (string?)second["createdBy"]);

        await (await bootstrap.PostAsJsonAsync("/v1/admin/keys", new { })).AssertProblemNamingAsync("name");
        await (await bootstrap.PostAsJsonAsync("/v1/admin/keys", new { name = "bootstrap" })).AssertProblemNamingAsync("name");
        await (await bootstrap.PostAsync("/v1/admin/keys/bootstrap/revoke", null)).AssertProblemAsync(HttpStatusCode.Conflict);
        await (await bootstrap.PostAsync("/v1/admin/keys/0123456789ab/revoke", null)).AssertProblemAsync(HttpStatusCode.NotFound);
        // A well-formed key that was never issued, and a tenant's API key, are no admin keys.
        using var forged = AdminClient($"oak_{(string)first["id"]!}_{new string('0', 64)}");
        await (await forged.GetAsync("/v1/admin/keys")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        using var tenantKey = AdminClient(Cluster.ApiKey);
        await (await tenantKey.GetAsync("/v1/admin/keys")).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_audit_entry_survives_a_gateway_killed_right_after_its_response()
    {
        var url = await Cluster.StartExtraGatewayAsync();
        var gateway = Cluster.ExtraGateways[^1];
        using var admin = new HttpClient { BaseAddress = url };
        admin.DefaultRequestHeaders.Add("X-Admin-Key", Cluster.AdminKey);
        var tenantId = (string)(await (await admin.PostAsJsonAsync("/v1/admin/tenants", new { name = "killed" })).ReadJsonAsync(HttpStatusCode.Created))["id"]!;
        var suspended = await admin.PostAsync($"/v1/admin/tenants/{tenantId}/suspend", null);
        gateway.Kill();
        await suspended.ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal(1, await Cluster.QueryScalarAsync<long>(
            "SELECT count(*) FROM audit_log WHERE tenant_id = @tenant AND action = 'POST /v1/admin/tenants/{tenantId}/suspend' AND outcome = 200",
            ("tenant", tenantId)));
    }

    private HttpClient AdminClient(string key)
    {
        var client = new HttpClient { BaseAddress = Cluster.GatewayUrl };
        client.DefaultRequestHeaders.Add("X-Admin-Key", key);
        return client;
    }

    private static async Task<List<JsonNode>> ListAsync(HttpClient admin) =>
        (await (await admin.GetAsync("/v1/admin/keys")).ReadJsonAsync(HttpStatusCode.OK))["items"]!.AsArray().Select(k => k!).ToList();
}
