using System.Net;
using System.Net.Http.Json;
using System.Text;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.Tenants;

[Collection(SharedClusterCollection.Name)]
public sealed class ScopeTests(SharedClusterFixture fixture)
{
    private static readonly string[] AllScopes = ["sessions:read", "sessions:write", "messages:send", "messages:read", "webhooks:manage", "events:read"];

    /// <summary>Every tenant route with the scope it needs ({s}: a session of the tenant) and a body it accepts.</summary>
    public static TheoryData<string, string, string, string?> Routes => new()
    {
        { "POST", "/v1/sessions", "sessions:write", "{\"name\": \"scoped\"}" },
        { "GET", "/v1/sessions", "sessions:read", null },
        { "GET", "/v1/sessions/{s}", "sessions:read", null },
        { "DELETE", "/v1/sessions/{s}", "sessions:write", null },
        { "GET", "/v1/sessions/{s}/me", "sessions:read", null },
        { "GET", "/v1/sessions/{s}/qr", "sessions:read", null },
        { "POST", "/v1/sessions/{s}/pairing-code", "sessions:write", "{\"phoneNumber\": \"+12015550701\"}" },
        { "PATCH", "/v1/sessions/{s}/settings", "sessions:write", "{\"messagesPerSecond\": 2}" },
        { "POST", "/v1/sessions/{s}/start", "sessions:write", null },
        { "POST", "/v1/sessions/{s}/stop", "sessions:write", null },
        { "POST", "/v1/sessions/{s}/restart", "sessions:write", null },
        { "POST", "/v1/sessions/{s}/logout", "sessions:write", null },
        { "POST", "/v1/sessions/{s}/messages", "messages:send", "{\"to\": \"+12015550702\", \"text\": \"scoped\"}" },
        { "GET", "/v1/sessions/{s}/messages", "messages:read", null },
        { "GET", "/v1/sessions/{s}/messages/msg_none", "messages:read", null },
        { "POST", "/v1/sessions/{s}/messages/msg_none/read", "messages:send", null },
        { "POST", "/v1/sessions/{s}/dev/scan", "sessions:write", "{\"phoneNumber\": \"+12015550703\"}" },
        { "POST", "/v1/sessions/{s}/dev/enter-code", "sessions:write", "{\"phoneNumber\": \"+12015550704\", \"code\": \"ABCD-EFGH\"}" },
        { "POST", "/v1/sessions/{s}/typing", "messages:send", "{\"to\": \"+12015550706\"}" },
        { "GET", "/v1/sessions/{s}/presence", "messages:read", null },
        { "GET", "/v1/media", "messages:read", null },
        { "GET", "/v1/media/med_none", "messages:read", null },
        { "GET", "/v1/media/med_none/content", "messages:read", null },
        { "DELETE", "/v1/media/med_none", "messages:send", null },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task A_route_refuses_a_key_without_its_scope_and_admits_a_key_with_only_that_scope(string method, string path, string scope, string? body)
    {
        var (tenantId, full) = await fixture.Cluster.CreateTenantClientAsync();
        var session = (string)(await full.CreateSessionAsync("scoped"))["id"]!;
        var url = path.Replace("{s}", session);
        using var lacking = await fixture.Cluster.KeyClientAsync(tenantId, AllScopes.Where(s => s != scope).ToArray());
        using var only = await fixture.Cluster.KeyClientAsync(tenantId, scope);

        var refused = await lacking.SendAsync(Request(method, url, body));
        await refused.AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        var admitted = await only.SendAsync(Request(method, url, body));
        Assert.True(admitted.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden),
            $"{method} {path} with only {scope}: {(int)admitted.StatusCode} {await admitted.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task A_sessions_read_key_can_read_a_session_but_not_create_one_or_send()
    {
        var (tenantId, full) = await fixture.Cluster.CreateTenantClientAsync();
        var session = (string)(await full.CreateSessionAsync("read only"))["id"]!;
        using var reader = await fixture.Cluster.KeyClientAsync(tenantId, "sessions:read");

        Assert.Equal(session, (string?)(await reader.GetSessionAsync(session))["id"]);
        await (await reader.PostAsJsonAsync("/v1/sessions", new { name = "nope" })).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await reader.PostAsJsonAsync($"/v1/sessions/{session}/messages", new { to = "+12015550705", text = "nope" })).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        var sessions = await (await full.GetAsync("/v1/sessions")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Single(sessions["items"]!.AsArray());
    }

    private static HttpRequestMessage Request(string method, string url, string? body) =>
        new(new HttpMethod(method), url) { Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json") };
}
