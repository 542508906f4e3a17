using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.Tenants;

[Collection(SharedClusterCollection.Name)]
public sealed class AdminAuthTests(SharedClusterFixture fixture)
{
    private TestCluster Cluster => fixture.Cluster;

    public static TheoryData<string, string> AdminRoutes => new()
    {
        { "GET", "/v1/admin/tenants" },
        { "POST", "/v1/admin/tenants" },
        { "GET", "/v1/admin/tenants/demo" },
        { "POST", "/v1/admin/tenants/demo/keys" },
        { "POST", "/v1/admin/tenants/demo/suspend" },
        { "POST", "/v1/admin/sessions/demo/ses_none/move" },
        { "POST", "/v1/admin/silos/127.0.0.1:1@1/drain" },
        { "POST", "/v1/admin/rebalance" },
        { "GET", "/v1/admin/audit" },
    };

    [Theory]
    [MemberData(nameof(AdminRoutes))]
    public async Task Admin_routes_refuse_a_missing_or_wrong_admin_key_and_every_tenant_key(string method, string path)
    {
        var presented = new (string Header, string Value)[]
        {
            ("X-Admin-Key", Cluster.AdminKey + "x"),
            ("X-Admin-Key", Cluster.AdminKey[..^1]),
            ("Authorization", "Bearer wrong"),
            ("X-Api-Key", Cluster.ApiKey),
            ("Authorization", $"Bearer {Cluster.ApiKey}"),
            ("X-Admin-Key", Cluster.ApiKey),
            ("X-Api-Key", Cluster.AdminKey),
        };
        using var anonymous = new HttpClient { BaseAddress = Cluster.GatewayUrl };
        await (await anonymous.SendAsync(Request(method, path))).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        foreach (var (header, value) in presented)
        {
            var request = Request(method, path);
            request.Headers.TryAddWithoutValidation(header, value);
            var response = await anonymous.SendAsync(request);
            Assert.True(response.Headers.WwwAuthenticate.Count > 0, $"{header} {value}: a challenge names the scheme");
            await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        }
        Assert.Equal("demo", (string?)(await (await Cluster.CreateAdminClient().GetAsync("/v1/admin/tenants/demo")).ReadJsonAsync(HttpStatusCode.OK))["id"]);
    }

    [Fact]
    public async Task The_admin_key_is_accepted_as_a_bearer_token()
    {
        using var client = new HttpClient { BaseAddress = Cluster.GatewayUrl };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Cluster.AdminKey);
        await (await client.GetAsync("/v1/admin/tenants")).ReadJsonAsync(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("X-Admin-Key")]
    [InlineData("X-Api-Key")]
    [InlineData("Authorization")]
    public async Task The_admin_key_never_works_on_tenant_routes(string header)
    {
        using var client = new HttpClient { BaseAddress = Cluster.GatewayUrl };
        var request = Request("GET", "/v1/sessions");
        request.Headers.TryAddWithoutValidation(header, header == "Authorization" ? $"Bearer {Cluster.AdminKey}" : Cluster.AdminKey);
        await (await client.SendAsync(request)).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    public static TheoryData<string, string> BadCreateBodies => new()
    {
        { "{}", "name" },
        { "{\"name\": \"\"}", "name" },
        { "{\"name\": \"   \"}", "name" },
        { "{\"name\": \"a\\nb\"}", "name" },
        { $"{{\"name\": \"{new string('x', 101)}\"}}", "name" },
        { "{\"name\": 5}", "name" },
        { "{\"name\": \"x\", \"plan\": {\"maxSessions\": 0}}", "plan.maxSessions" },
        { "{\"name\": \"x\", \"plan\": {\"maxSessions\": 100001}}", "plan.maxSessions" },
        { "{\"name\": \"x\", \"plan\": {\"maxSessions\": 1.5}}", "plan.maxSessions" },
        { "{\"name\": \"x\", \"plan\": {\"maxSessions\": \"ten\"}}", "plan.maxSessions" },
        { "{\"name\": \"x\", \"plan\": {\"maxSessions\": 99999999999}}", "plan.maxSessions" },
        { "{\"name\": \"x\", \"plan\": {\"messagesPerMinute\": -1}}", "plan.messagesPerMinute" },
        { "{\"name\": \"x\", \"plan\": {\"mediaStorageBytes\": 1099511627777}}", "plan.mediaStorageBytes" },
        { "{\"name\": \"x\", \"plan\": {\"seats\": 3}}", "plan.seats" },
        { "{\"name\": \"x\", \"plan\": 5}", "plan" },
        { "{\"name\": \"x\", \"colour\": \"red\"}", "colour" },
        { "{\"name\": \"x\"", "body" },
        { "[]", "body" },
    };

    [Theory]
    [MemberData(nameof(BadCreateBodies))]
    public async Task A_bad_tenant_body_is_a_400_problem_naming_the_field(string body, string field)
    {
        using var admin = Cluster.CreateAdminClient();
        var before = await Cluster.QueryScalarAsync<long>("SELECT count(*) FROM tenants");

        await (await admin.PostAsync("/v1/admin/tenants", Json(body))).AssertProblemNamingAsync(field);

        Assert.Equal(before, await Cluster.QueryScalarAsync<long>("SELECT count(*) FROM tenants"));
    }

    [Theory]
    [InlineData("PATCH", "", "{\"name\": \"\"}", "name")]
    [InlineData("PATCH", "", "{\"plan\": {\"maxSessions\": 0}}", "plan.maxSessions")]
    [InlineData("PATCH", "", "{\"status\": \"active\"}", "status")]
    [InlineData("POST", "/keys", "{\"scopes\": [\"sessions:read\", \"root\"]}", "scopes")]
    [InlineData("POST", "/keys", "{\"scopes\": []}", "scopes")]
    [InlineData("POST", "/keys", "{\"scopes\": \"sessions:read\"}", "scopes")]
    [InlineData("POST", "/keys", "{\"name\": \"a\\u0000b\"}", "name")]
    [InlineData("POST", "/keys", "{\"expires\": \"never\"}", "expires")]
    public async Task A_bad_tenant_update_or_key_body_is_a_400_problem_naming_the_field(string method, string suffix, string body, string field)
    {
        using var admin = Cluster.CreateAdminClient();
        var tenantId = (string)(await admin.CreateTenantAsync(new { name = "Unchanged" }))["id"]!;

        await (await admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"/v1/admin/tenants/{tenantId}{suffix}") { Content = Json(body) })).AssertProblemNamingAsync(field);

        var tenant = await (await admin.GetAsync($"/v1/admin/tenants/{tenantId}")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("Unchanged", (string?)tenant["name"]);
        Assert.Equal(10, (int)tenant["plan"]!["maxSessions"]!);
        var keys = await (await admin.GetAsync($"/v1/admin/tenants/{tenantId}/keys")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Empty(keys["items"]!.AsArray());
    }

    [Theory]
    [InlineData("/v1/admin/tenants?limit=0", "limit")]
    [InlineData("/v1/admin/tenants?limit=201", "limit")]
    [InlineData("/v1/admin/tenants?limit=abc", "limit")]
    [InlineData("/v1/admin/tenants?status=deleted", "status")]
    [InlineData("/v1/admin/tenants?cursor=..%2Fx", "cursor")]
    [InlineData("/v1/admin/tenants/demo/keys?limit=500", "limit")]
    [InlineData("/v1/admin/tenants/demo/keys?cursor=zzz", "cursor")]
    public async Task Bad_list_parameters_are_a_400_problem_naming_the_parameter(string path, string field)
    {
        using var admin = Cluster.CreateAdminClient();
        await (await admin.GetAsync(path)).AssertProblemNamingAsync(field);
    }

    private static HttpRequestMessage Request(string method, string path) =>
        new(new HttpMethod(method), path) { Content = method == "POST" ? JsonContent.Create(new { name = "x" }) : null };

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
