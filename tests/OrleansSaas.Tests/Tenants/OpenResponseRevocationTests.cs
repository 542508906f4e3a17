using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.Tenants;

/// <summary>An open event stream ends when its key stops being valid, as a new request with that key would be refused.</summary>
[Collection(SharedClusterCollection.Name)]
public sealed class OpenResponseRevocationTests(SharedClusterFixture fixture)
{
    [Theory]
    [InlineData("revoke")]
    [InlineData("suspend")]
    [InlineData("delete")]
    public async Task An_open_event_stream_ends_when_its_key_is_revoked_or_its_tenant_suspended_or_deleted(string action)
    {
        var cluster = fixture.Cluster;
        var (tenantId, client) = await cluster.CreateTenantClientAsync();
        using var admin = cluster.CreateAdminClient();
        var keyId = (string)(await (await admin.GetAsync($"/v1/admin/tenants/{tenantId}/keys")).ReadJsonAsync(HttpStatusCode.OK))["items"]![0]!["id"]!;
        var session = (string)(await client.CreateSessionAsync())["id"]!;
        using var stream = await EventStream.OpenAsync(client, "/v1/events/stream?after=0", null);
        // The stream works: it shows the session being created.
        Assert.Equal(session, (string?)(await stream.NextAsync(TimeSpan.FromSeconds(30))).Data["sessionId"]);

        var done = action switch
        {
            "revoke" => await admin.PostAsync($"/v1/admin/tenants/{tenantId}/keys/{keyId}/revoke", null),
            "suspend" => await admin.PostAsync($"/v1/admin/tenants/{tenantId}/suspend", null),
            _ => await admin.DeleteAsync($"/v1/admin/tenants/{tenantId}"),
        };
        Assert.True(done.IsSuccessStatusCode, $"{action}: {(int)done.StatusCode} {await done.Content.ReadAsStringAsync()}");

        // Nothing else happens for this tenant, so the only way the read ends before its timeout is the stream closing.
        var ended = await Record.ExceptionAsync(async () =>
        {
            while (true) await stream.NextAsync(TimeSpan.FromSeconds(30));
        });
        Assert.True(ended is EndOfStreamException or IOException or HttpRequestException, $"the stream should have been closed, got: {ended}");
    }
}
