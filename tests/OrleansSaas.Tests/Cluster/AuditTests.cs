using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OrleansSaas.Tests.Infrastructure;
using static OrleansSaas.Tests.Cluster.ClusterTestApi;

namespace OrleansSaas.Tests.Cluster;

/// <summary>Who did what: tenants' and operators' requests and the cluster's own moves, read back over the API.</summary>
[Collection(OperationsClusterCollection.Name)]
public sealed class AuditTests(OperationsClusterFixture fixture)
{
    private TestCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task A_tenant_sees_its_requests_key_changes_and_moves_and_nothing_of_another_tenant()
    {
        using var admin = Cluster.CreateAdminClient();
        var silos = await admin.ReportedSilosAsync(2);
        var tenantId = await CreateTenantAsync(admin);
        var key = await IssueKeyAsync(admin, tenantId);
        var revoked = await IssueKeyAsync(admin, tenantId);
        await (await admin.PostAsync($"/v1/admin/tenants/{tenantId}/keys/{revoked["id"]}/revoke", null)).ReadJsonAsync(HttpStatusCode.OK);
        using var client = Cluster.CreateClient((string)key["key"]!);
        var sessionId = await client.CreatePairedSessionAsync("+12015550801");
        await (await client.PostAsync("/v1/sessions/ses_missing/start", null)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await client.GetAsync("/v1/sessions")).ReadJsonAsync(HttpStatusCode.OK);
        var from = (await client.GetSessionAsync(sessionId)).Silo();
        var to = silos.Single(s => s != from);
        await (await admin.PostAsJsonAsync($"/v1/admin/sessions/{tenantId}/{sessionId}/move", new { silo = to })).ReadJsonAsync(HttpStatusCode.OK);

        var keyId = (string)key["id"]!;
        var expected = new[]
        {
            ("tenant", keyId, "POST /v1/sessions", "/v1/sessions", 201),
            ("tenant", keyId, "POST /v1/sessions/{sessionId}/dev/scan", $"/v1/sessions/{sessionId}/dev/scan", 200),
            ("tenant", keyId, "POST /v1/sessions/{sessionId}/start", "/v1/sessions/ses_missing/start", 404),
            ("admin", "bootstrap", "POST /v1/admin/tenants/{tenantId}/keys", $"/v1/admin/tenants/{tenantId}/keys", 201),
            ("admin", "bootstrap", "POST /v1/admin/tenants/{tenantId}/keys/{keyId}/revoke", $"/v1/admin/tenants/{tenantId}/keys/{revoked["id"]}/revoke", 200),
            ("admin", "bootstrap", "POST /v1/admin/sessions/{tenantId}/{sessionId}/move", $"/v1/admin/sessions/{tenantId}/{sessionId}/move", 200),
        };
        var own = await Api.EventuallyAsync(() => ReadAllAsync(client, "/v1/audit?limit=200"),
            entries => expected.All(e => entries.Any(x => Matches(x, e))), Patience, "the tenant's entries");
        Assert.Equal(2, own.Count(e => (string?)e["action"] == "POST /v1/admin/tenants/{tenantId}/keys"));
        Assert.All(own, e =>
        {
            Assert.Equal(tenantId, (string?)e["tenantId"]);
            Assert.DoesNotContain("GET", (string)e["action"]!);
            Assert.False(string.IsNullOrEmpty((string?)e["requestId"]));
        });

        // Another tenant's log is its own: none of these entries.
        var (otherTenant, other) = await Cluster.CreateTenantClientAsync();
        using (other)
        {
            await other.CreateSessionAsync();
            var theirs = await Api.EventuallyAsync(() => ReadAllAsync(other, "/v1/audit"), e => e.Any(x => (string?)x["actor"] == "tenant"), Patience, "the other tenant's entries");
            Assert.All(theirs, e => Assert.Equal(otherTenant, (string?)e["tenantId"]));
        }

        // Keys never reach the log, only their ids.
        foreach (var plain in new[] { (string)key["key"]!, (string)revoked["key"]! })
            Assert.Equal(0, await Cluster.QueryScalarAsync<long>("SELECT count(*) FROM audit_log WHERE audit_log::text LIKE @key", ("key", $"%{plain}%")));
    }

    [Fact]
    public async Task Operators_filter_the_log_by_tenant_actor_action_and_time_and_page_through_it()
    {
        using var admin = Cluster.CreateAdminClient();
        var silos = await admin.ReportedSilosAsync(2);
        var tenantId = await CreateTenantAsync(admin);
        var key = await IssueKeyAsync(admin, tenantId);
        using var client = Cluster.CreateClient((string)key["key"]!);
        var paired = await client.CreatePairedSessionAsync("+12015550811");
        for (var i = 0; i < 3; i++) await client.CreateSessionAsync($"s{i}");
        await (await admin.PostAsync($"/v1/admin/tenants/{tenantId}/suspend", null)).ReadJsonAsync(HttpStatusCode.OK);
        await (await admin.PostAsync($"/v1/admin/tenants/{tenantId}/resume", null)).ReadJsonAsync(HttpStatusCode.OK);

        var all = await Api.EventuallyAsync(() => ReadAllAsync(admin, $"/v1/admin/audit?tenant={tenantId}"), e => e.Count == 8, Patience, "the tenant's 8 entries");
        Assert.All(all, e => Assert.Equal(tenantId, (string?)e["tenantId"]));
        var ids = all.Select(e => (long)e["id"]!).ToList();
        Assert.Equal(ids.OrderDescending(), ids);

        var byAdmin = await ReadAllAsync(admin, $"/v1/admin/audit?tenant={tenantId}&actor=admin");
        Assert.Equal(new[] { "POST /v1/admin/tenants/{tenantId}/resume", "POST /v1/admin/tenants/{tenantId}/suspend", "POST /v1/admin/tenants/{tenantId}/keys" },
            byAdmin.Select(e => (string)e["action"]!));
        var byKey = await ReadAllAsync(admin, $"/v1/admin/audit?tenant={tenantId}&actor={key["id"]}");
        Assert.Equal(5, byKey.Count);
        var creates = await ReadAllAsync(admin, $"/v1/admin/audit?tenant={tenantId}&action={Uri.EscapeDataString("POST /v1/sessions")}");
        Assert.Equal(4, creates.Count);

        var cut = all.Single(e => (string?)e["action"] == "POST /v1/admin/tenants/{tenantId}/suspend")["at"]!.GetValue<DateTimeOffset>();
        var since = await ReadAllAsync(admin, $"/v1/admin/audit?tenant={tenantId}&from={Uri.EscapeDataString(cut.ToString("O"))}");
        Assert.Equal(all.Where(e => e["at"]!.GetValue<DateTimeOffset>() >= cut).Select(e => (long)e["id"]!), since.Select(e => (long)e["id"]!));
        var until = await ReadAllAsync(admin, $"/v1/admin/audit?tenant={tenantId}&to={Uri.EscapeDataString(cut.ToString("O"))}");
        Assert.Equal(all.Count, since.Count + until.Count);

        var pages = new List<JsonNode>();
        string? cursor = null;
        do
        {
            var page = await (await admin.GetAsync($"/v1/admin/audit?tenant={tenantId}&limit=3" + (cursor is null ? "" : $"&cursor={cursor}"))).ReadJsonAsync(HttpStatusCode.OK);
            Assert.True(page["items"]!.AsArray().Count <= 3);
            pages.AddRange(page["items"]!.AsArray().Select(i => i!));
            cursor = (string?)page["nextCursor"];
        } while (cursor is not null);
        Assert.Equal(ids, pages.Select(e => (long)e["id"]!));

        // The cluster's own moves are filed under the tenant whose session moved.
        var host = (await client.GetSessionAsync(paired)).Silo();
        try
        {
            await (await admin.PostAsync($"/v1/admin/silos/{Uri.EscapeDataString(host)}/drain", null)).ReadJsonAsync(HttpStatusCode.OK);
            // Sessions still pairing live on silos too, so the drain moves them as well.
            var system = await Api.EventuallyAsync(() => ReadAllAsync(client, "/v1/audit?actor=system"),
                e => e.Any(x => (string?)x["target"] == $"/v1/sessions/{paired}"), Patience, "the drain's move");
            Assert.All(system, e => Assert.Equal("drain", (string?)e["details"]!["cause"]));
            var move = system.Single(e => (string?)e["target"] == $"/v1/sessions/{paired}");
            Assert.Equal("session.move", (string?)move["action"]);
            Assert.Equal($"/v1/sessions/{paired}", (string?)move["target"]);
            Assert.Equal(200, (int?)move["outcome"]);
            Assert.Equal("drain", (string?)move["details"]!["cause"]);
            Assert.Equal(host, (string?)move["details"]!["from"]);
            Assert.Equal(silos.Single(s => s != host), (string?)move["details"]!["to"]);
        }
        finally
        {
            await admin.PostAsync($"/v1/admin/silos/{Uri.EscapeDataString(host)}/undrain", null);
        }
    }

    private static bool Matches(JsonNode entry, (string Actor, string? KeyId, string Action, string Target, int Outcome) expected) =>
        (string?)entry["actor"] == expected.Actor && (string?)entry["keyId"] == expected.KeyId && (string?)entry["action"] == expected.Action
        && (string?)entry["target"] == expected.Target && (int?)entry["outcome"] == expected.Outcome;

    private static async Task<string> CreateTenantAsync(HttpClient admin) =>
        (string)(await (await admin.PostAsJsonAsync("/v1/admin/tenants", new { name = "audited" })).ReadJsonAsync(HttpStatusCode.Created))["id"]!;

    private static async Task<JsonNode> IssueKeyAsync(HttpClient admin, string tenantId) =>
        await (await admin.PostAsJsonAsync($"/v1/admin/tenants/{tenantId}/keys", new { })).ReadJsonAsync(HttpStatusCode.Created);

    /// <summary>Every entry of a listing, following its cursor.</summary>
    private static async Task<List<JsonNode>> ReadAllAsync(HttpClient client, string query)
    {
        var entries = new List<JsonNode>();
        string? cursor = null;
        do
        {
            var url = cursor is null ? query : query + (query.Contains('?') ? "&" : "?") + $"cursor={cursor}";
            var page = await (await client.GetAsync(url)).ReadJsonAsync(HttpStatusCode.OK);
            entries.AddRange(page["items"]!.AsArray().Select(i => i!));
            cursor = (string?)page["nextCursor"];
        } while (cursor is not null);
        return entries;
    }
}
