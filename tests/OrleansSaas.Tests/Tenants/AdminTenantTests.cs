using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.Tenants;

[Collection(SharedClusterCollection.Name)]
public sealed class AdminTenantTests(SharedClusterFixture fixture)
{
    private readonly HttpClient _admin = fixture.Cluster.CreateAdminClient();

    [Fact]
    public async Task A_tenant_is_created_with_the_default_plan_or_the_given_one_and_read_back()
    {
        var response = await _admin.PostAsJsonAsync("/v1/admin/tenants", new { name = "  Acme  " });
        var created = await response.ReadJsonAsync(HttpStatusCode.Created);

        var id = (string)created["id"]!;
        Assert.Matches("^ten_[0-9a-f]{32}$", id);
        Assert.Equal($"/v1/admin/tenants/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("Acme", (string?)created["name"]);
        Assert.Equal("active", (string?)created["status"]);
        Assert.Equal(10, (int)created["plan"]!["maxSessions"]!);
        Assert.Equal(600, (int)created["plan"]!["messagesPerMinute"]!);
        Assert.Equal(1L << 30, (long)created["plan"]!["mediaStorageBytes"]!);
        Assert.Null(created["suspendedAt"]);
        Assert.Equal(created.ToJsonString(), (await (await _admin.GetAsync($"/v1/admin/tenants/{id}")).ReadJsonAsync(HttpStatusCode.OK)).ToJsonString());

        var big = await _admin.CreateTenantAsync(new { name = "Big", plan = new { maxSessions = 500, messagesPerMinute = 6000, mediaStorageBytes = 10L << 30 } });
        Assert.Equal(500, (int)big["plan"]!["maxSessions"]!);
        Assert.Equal(6000, (int)big["plan"]!["messagesPerMinute"]!);
        Assert.Equal(10L << 30, (long)big["plan"]!["mediaStorageBytes"]!);

        var partial = await _admin.CreateTenantAsync(new { name = "Partial", plan = new { maxSessions = 3 } });
        Assert.Equal(3, (int)partial["plan"]!["maxSessions"]!);
        Assert.Equal(600, (int)partial["plan"]!["messagesPerMinute"]!);
    }

    [Fact]
    public async Task Tenants_are_listed_newest_first_page_by_page_and_filtered_by_status()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((string)(await _admin.CreateTenantAsync(new { name = $"Listed {i}" }))["id"]!);
            await Task.Delay(5);   // ids are time-ordered to the millisecond
        }
        await (await _admin.PostAsync($"/v1/admin/tenants/{ids[1]}/suspend", null)).ReadJsonAsync(HttpStatusCode.OK);

        var all = new List<JsonNode>();
        string? cursor = null;
        do
        {
            var page = await (await _admin.GetAsync("/v1/admin/tenants?limit=2" + (cursor is null ? "" : $"&cursor={cursor}"))).ReadJsonAsync(HttpStatusCode.OK);
            Assert.InRange(page["items"]!.AsArray().Count, 1, 2);
            all.AddRange(page["items"]!.AsArray().Select(i => i!));
            cursor = (string?)page["nextCursor"];
        } while (cursor is not null);
        var listed = all.Select(t => (string)t["id"]!).ToList();
        Assert.Equal(listed.Count, listed.Distinct().Count());
        Assert.Equal(new[] { ids[2], ids[1], ids[0] }, listed.Where(ids.Contains));
        Assert.Contains("demo", listed);
        Assert.Equal("suspended", (string?)all.Single(t => (string)t["id"]! == ids[1])["status"]);

        var suspended = await (await _admin.GetAsync("/v1/admin/tenants?status=suspended&limit=200")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Contains(ids[1], suspended["items"]!.AsArray().Select(t => (string)t!["id"]!));
        Assert.All(suspended["items"]!.AsArray(), t => Assert.Equal("suspended", (string?)t!["status"]));
        var active = await (await _admin.GetAsync("/v1/admin/tenants?status=active&limit=200")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(ids[1], active["items"]!.AsArray().Select(t => (string)t!["id"]!));
    }

    [Fact]
    public async Task A_tenant_is_renamed_and_its_plan_changed_field_by_field()
    {
        var id = (string)(await _admin.CreateTenantAsync(new { name = "Before", plan = new { maxSessions = 5 } }))["id"]!;

        var renamed = await (await _admin.PatchAsJsonAsync($"/v1/admin/tenants/{id}", new { name = "After" })).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("After", (string?)renamed["name"]);
        Assert.Equal(5, (int)renamed["plan"]!["maxSessions"]!);

        var replanned = await (await _admin.PatchAsJsonAsync($"/v1/admin/tenants/{id}", new { plan = new { messagesPerMinute = 42 } })).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("After", (string?)replanned["name"]);
        Assert.Equal(5, (int)replanned["plan"]!["maxSessions"]!);
        Assert.Equal(42, (int)replanned["plan"]!["messagesPerMinute"]!);

        var listed = await (await _admin.GetAsync("/v1/admin/tenants?limit=200")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(replanned.ToJsonString(), listed["items"]!.AsArray().Single(t => (string)t!["id"]! == id)!.ToJsonString());
    }

    [Fact]
    public async Task Suspend_and_resume_change_the_status_and_repeat_harmlessly()
    {
        var id = (string)(await _admin.CreateTenantAsync(new { name = "Pausable" }))["id"]!;

        var suspended = await (await _admin.PostAsync($"/v1/admin/tenants/{id}/suspend", null)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("suspended", (string?)suspended["status"]);
        Assert.NotNull(suspended["suspendedAt"]);
        var again = await (await _admin.PostAsync($"/v1/admin/tenants/{id}/suspend", null)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal((string?)suspended["suspendedAt"], (string?)again["suspendedAt"]);

        var resumed = await (await _admin.PostAsync($"/v1/admin/tenants/{id}/resume", null)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("active", (string?)resumed["status"]);
        Assert.Null(resumed["suspendedAt"]);
        Assert.Equal("active", (string?)(await (await _admin.PostAsync($"/v1/admin/tenants/{id}/resume", null)).ReadJsonAsync(HttpStatusCode.OK))["status"]);
    }

    [Fact]
    public async Task A_deleted_tenant_answers_404_everywhere_but_its_rows_are_retained()
    {
        var id = (string)(await _admin.CreateTenantAsync(new { name = "Doomed" }))["id"]!;
        var keyId = (string)(await _admin.IssueKeyAsync(id))["id"]!;

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/v1/admin/tenants/{id}")).StatusCode);

        foreach (var (method, path) in new[]
        {
            ("GET", $"/v1/admin/tenants/{id}"), ("DELETE", $"/v1/admin/tenants/{id}"), ("PATCH", $"/v1/admin/tenants/{id}"),
            ("POST", $"/v1/admin/tenants/{id}/suspend"), ("POST", $"/v1/admin/tenants/{id}/resume"),
            ("POST", $"/v1/admin/tenants/{id}/keys"), ("GET", $"/v1/admin/tenants/{id}/keys"), ("POST", $"/v1/admin/tenants/{id}/keys/{keyId}/revoke"),
        })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            await (await _admin.SendAsync(request)).AssertProblemAsync(HttpStatusCode.NotFound, "not-found");
        }
        var listed = await (await _admin.GetAsync("/v1/admin/tenants?limit=200")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(id, listed["items"]!.AsArray().Select(t => (string)t!["id"]!));
        Assert.Equal("deleted", await fixture.Cluster.QueryScalarAsync<string>("SELECT status FROM tenants WHERE tenant_id = @id", ("id", id)));
        Assert.Equal(1L, await fixture.Cluster.QueryScalarAsync<long>("SELECT count(*) FROM api_keys WHERE tenant_id = @id", ("id", id)));
    }

    [Theory]
    [InlineData("GET", "/v1/admin/tenants/ten_doesnotexist")]
    [InlineData("GET", "/v1/admin/tenants/..%2F..%2Fetc")]
    [InlineData("POST", "/v1/admin/tenants/ten_doesnotexist/suspend")]
    [InlineData("GET", "/v1/admin/tenants/ten_doesnotexist/keys")]
    [InlineData("POST", "/v1/admin/tenants/demo/keys/000000000000/revoke")]
    [InlineData("POST", "/v1/admin/tenants/demo/keys/not-a-key/revoke")]
    public async Task An_unknown_tenant_or_key_is_a_404_problem(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        await (await _admin.SendAsync(request)).AssertProblemAsync(HttpStatusCode.NotFound, "not-found");
    }
}
