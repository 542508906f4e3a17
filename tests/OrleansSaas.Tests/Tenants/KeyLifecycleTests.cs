using System.Net;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.Tenants;

/// <summary>Revocation, suspension and deletion reach the gateway's authentication within its cache time (a few seconds).</summary>
[Collection(SharedClusterCollection.Name)]
public sealed class KeyLifecycleTests(SharedClusterFixture fixture)
{
    private readonly HttpClient _admin = fixture.Cluster.CreateAdminClient();

    [Fact]
    public async Task A_revoked_key_is_refused_within_seconds_while_the_tenants_other_keys_work()
    {
        var (tenantId, client) = await fixture.Cluster.CreateTenantClientAsync();
        using var other = await fixture.Cluster.KeyClientAsync(tenantId, "sessions:read");
        await (await client.GetAsync("/v1/sessions")).ReadJsonAsync(HttpStatusCode.OK);
        var keyId = (string)(await (await _admin.GetAsync($"/v1/admin/tenants/{tenantId}/keys")).ReadJsonAsync(HttpStatusCode.OK))["items"]![1]!["id"]!;

        await (await _admin.PostAsync($"/v1/admin/tenants/{tenantId}/keys/{keyId}/revoke", null)).ReadJsonAsync(HttpStatusCode.OK);

        var refused = await TenantTestApi.EventuallyStatusAsync(() => client.GetAsync("/v1/sessions"), HttpStatusCode.Unauthorized, "the revoked key to be refused");
        await refused.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await (await other.GetAsync("/v1/sessions")).ReadJsonAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_suspended_tenants_keys_get_a_403_until_it_is_resumed()
    {
        var (tenantId, client) = await fixture.Cluster.CreateTenantClientAsync();
        var session = (string)(await client.CreateSessionAsync("kept"))["id"]!;

        await (await _admin.PostAsync($"/v1/admin/tenants/{tenantId}/suspend", null)).ReadJsonAsync(HttpStatusCode.OK);

        var refused = await TenantTestApi.EventuallyStatusAsync(() => client.GetAsync($"/v1/sessions/{session}"), HttpStatusCode.Forbidden, "the suspension to reach the gateway");
        await refused.AssertProblemAsync(HttpStatusCode.Forbidden, "tenant-suspended");
        await (await client.PostAsync("/v1/sessions", null)).AssertProblemAsync(HttpStatusCode.Forbidden, "tenant-suspended");

        await (await _admin.PostAsync($"/v1/admin/tenants/{tenantId}/resume", null)).ReadJsonAsync(HttpStatusCode.OK);

        await TenantTestApi.EventuallyStatusAsync(() => client.GetAsync($"/v1/sessions/{session}"), HttpStatusCode.OK, "the resumption to reach the gateway");
        Assert.Equal("kept", (string?)(await client.GetSessionAsync(session))["name"]);
    }

    [Fact]
    public async Task A_deleted_tenants_keys_are_refused_and_it_answers_404_but_its_data_is_retained()
    {
        var (tenantId, client) = await fixture.Cluster.CreateTenantClientAsync();
        var session = (string)(await client.CreateSessionAsync("retained"))["id"]!;

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/v1/admin/tenants/{tenantId}")).StatusCode);

        var refused = await TenantTestApi.EventuallyStatusAsync(() => client.GetAsync($"/v1/sessions/{session}"), HttpStatusCode.Unauthorized, "the deletion to reach the gateway");
        await refused.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await (await _admin.GetAsync($"/v1/admin/tenants/{tenantId}")).AssertProblemAsync(HttpStatusCode.NotFound, "not-found");
        Assert.Equal(1L, await fixture.Cluster.QueryScalarAsync<long>(
            "SELECT count(*) FROM sessions WHERE tenant_id = @tenant AND session_id = @session", ("tenant", tenantId), ("session", session)));
    }
}
