using System.Net;
using System.Net.Http.Json;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.Tenants;

[Collection(SharedClusterCollection.Name)]
public sealed class AdminKeyTests(SharedClusterFixture fixture)
{
    private static readonly string[] AllScopes = ["sessions:read", "sessions:write", "messages:send", "messages:read", "webhooks:manage", "events:read"];
    private readonly HttpClient _admin = fixture.Cluster.CreateAdminClient();

    [Fact]
    public async Task Keys_are_issued_once_in_plain_listed_without_it_and_revoked()
    {
        var tenantId = (string)(await _admin.CreateTenantAsync(new { name = "Keyed" }))["id"]!;

        var response = await _admin.PostAsJsonAsync($"/v1/admin/tenants/{tenantId}/keys", new { name = "ci", scopes = new[] { "messages:read", "sessions:read", "sessions:read" } });
        var narrow = await response.ReadJsonAsync(HttpStatusCode.Created);
        var narrowId = (string)narrow["id"]!;
        Assert.Matches($"^osk_{narrowId}_[0-9a-f]{{64}}$", (string)narrow["key"]!);
        Assert.Equal($"/v1/admin/tenants/{tenantId}/keys/{narrowId}", response.Headers.Location?.OriginalString);
        Assert.Equal("ci", (string?)narrow["name"]);
        Assert.Equal(new[] { "sessions:read", "messages:read" }, narrow["scopes"]!.AsArray().Select(s => (string)s!));
        var wide = await _admin.IssueKeyAsync(tenantId);
        Assert.Equal(AllScopes, wide["scopes"]!.AsArray().Select(s => (string)s!));
        Assert.Null(wide["name"]);

        var listed = await (await _admin.GetAsync($"/v1/admin/tenants/{tenantId}/keys")).ReadJsonAsync(HttpStatusCode.OK);
        var items = listed["items"]!.AsArray();
        Assert.Equal(new[] { (string)wide["id"]!, narrowId }, items.Select(k => (string)k!["id"]!));
        Assert.All(items, k => Assert.Null(k!["key"]));
        Assert.All(items, k => Assert.Null(k!["revokedAt"]));
        Assert.Equal((string?)narrow["createdAt"], (string?)items[1]!["createdAt"]);

        var revoked = await (await _admin.PostAsync($"/v1/admin/tenants/{tenantId}/keys/{narrowId}/revoke", null)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(narrowId, (string?)revoked["id"]);
        Assert.NotNull(revoked["revokedAt"]);
        var again = await (await _admin.PostAsync($"/v1/admin/tenants/{tenantId}/keys/{narrowId}/revoke", null)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal((string?)revoked["revokedAt"], (string?)again["revokedAt"]);
        var afterRevoke = await (await _admin.GetAsync($"/v1/admin/tenants/{tenantId}/keys")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal((string?)revoked["revokedAt"], (string?)afterRevoke["items"]!.AsArray().Single(k => (string)k!["id"]! == narrowId)!["revokedAt"]);
    }

    [Fact]
    public async Task Keys_are_listed_page_by_page()
    {
        var tenantId = (string)(await _admin.CreateTenantAsync(new { name = "Many keys" }))["id"]!;
        var issued = new List<string>();
        for (var i = 0; i < 5; i++) issued.Add((string)(await _admin.IssueKeyAsync(tenantId, new { name = $"k{i}" }))["id"]!);

        var listed = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await _admin.GetAsync($"/v1/admin/tenants/{tenantId}/keys?limit=2" + (cursor is null ? "" : $"&cursor={cursor}"))).ReadJsonAsync(HttpStatusCode.OK);
            listed.AddRange(page["items"]!.AsArray().Select(k => (string)k!["id"]!));
            cursor = (string?)page["nextCursor"];
        } while (cursor is not null);

        Assert.Equal(Enumerable.Reverse(issued), listed);
    }

    [Fact]
    public async Task Only_the_hash_of_a_key_is_stored()
    {
        var tenantId = (string)(await _admin.CreateTenantAsync(new { name = "Hashed" }))["id"]!;
        var key = (string)(await _admin.IssueKeyAsync(tenantId))["key"]!;
        var secret = key[(key.LastIndexOf('_') + 1)..];

        const string containing = "SELECT count(*) FROM orleans_grain_state WHERE position(convert_to(@text, 'UTF8') IN payload) > 0";
        Assert.True(await fixture.Cluster.QueryScalarAsync<long>(containing, ("text", tenantId)) > 0, "the search finds text in grain state");
        Assert.Equal(0L, await fixture.Cluster.QueryScalarAsync<long>(containing, ("text", secret)));
        Assert.Equal(0L, await fixture.Cluster.QueryScalarAsync<long>(
            "SELECT count(*) FROM api_keys WHERE position(@text IN row(api_keys.*)::text) > 0", ("text", secret)));
    }

    [Fact]
    public async Task A_used_key_shows_when_it_was_last_used()
    {
        var (tenantId, client) = await fixture.Cluster.CreateTenantClientAsync();
        var before = DateTimeOffset.UtcNow;

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/sessions")).StatusCode);

        var listed = await Api.EventuallyAsync(
            async () => await (await _admin.GetAsync($"/v1/admin/tenants/{tenantId}/keys")).ReadJsonAsync(HttpStatusCode.OK),
            page => page["items"]![0]!["lastUsedAt"] is not null, TimeSpan.FromSeconds(10), "lastUsedAt to be recorded");
        var lastUsed = DateTimeOffset.Parse((string)listed["items"]![0]!["lastUsedAt"]!);
        Assert.InRange(lastUsed, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
    }
}
