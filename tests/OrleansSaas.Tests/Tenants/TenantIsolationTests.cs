using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.Tenants;

[Collection(SharedClusterCollection.Name)]
public sealed class TenantIsolationTests(SharedClusterFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Every route that names a session ({s}) or message ({m}), with a body that would be accepted for the tenant's own session.</summary>
    private static readonly (string Method, string Path, string? Body)[] SessionRoutes =
    [
        ("GET", "/v1/sessions/{s}", null),
        ("GET", "/v1/sessions/{s}/qr", null),
        ("GET", "/v1/sessions/{s}/me", null),
        ("POST", "/v1/sessions/{s}/start", null),
        ("POST", "/v1/sessions/{s}/stop", null),
        ("POST", "/v1/sessions/{s}/restart", null),
        ("POST", "/v1/sessions/{s}/logout", null),
        ("PATCH", "/v1/sessions/{s}/settings", "{\"messagesPerSecond\": 1}"),
        ("POST", "/v1/sessions/{s}/pairing-code", "{\"phoneNumber\": \"+12015550711\"}"),
        ("POST", "/v1/sessions/{s}/messages", "{\"to\": \"+12015550712\", \"text\": \"from B\"}"),
        ("GET", "/v1/sessions/{s}/messages", null),
        ("GET", "/v1/sessions/{s}/messages/{m}", null),
        ("POST", "/v1/sessions/{s}/messages/{m}/read", null),
        ("POST", "/v1/sessions/{s}/dev/scan", "{\"phoneNumber\": \"+12015550713\"}"),
        ("POST", "/v1/sessions/{s}/dev/enter-code", "{\"phoneNumber\": \"+12015550714\", \"code\": \"ABCD-EFGH\"}"),
        ("POST", "/v1/sessions/{s}/typing", "{\"to\": \"+12015550716\"}"),
        ("GET", "/v1/sessions/{s}/presence", null),
        ("DELETE", "/v1/sessions/{s}", null),
    ];

    [Fact]
    public async Task Another_tenant_gets_404_on_every_route_of_a_tenants_session_and_changes_nothing()
    {
        var (_, a) = await fixture.Cluster.CreateTenantClientAsync();
        var (tenantB, b) = await fixture.Cluster.CreateTenantClientAsync();
        var session = await a.CreatePairedSessionAsync("+12015550710");
        var message = (string)(await a.SendTextAsync(session, "+12015550715", "only for A"))["id"]!;
        // Read is the last status, so nothing but B could change A's data from here on.
        await Api.EventuallyAsync(() => a.ListAllMessagesAsync(session), m => (string?)m.Single()["status"] == "read", Patience, "A's message to be read");
        var sessionBefore = await a.GetSessionAsync(session);
        var messagesBefore = Snapshot(await a.ListAllMessagesAsync(session));

        foreach (var (method, path, body) in SessionRoutes)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{s}", session).Replace("{m}", message))
            {
                Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"),
            };
            await (await b.SendAsync(request)).AssertProblemAsync(HttpStatusCode.NotFound, "not-found");
        }

        var listedForB = await (await b.GetAsync("/v1/sessions")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Empty(listedForB["items"]!.AsArray());
        var sessionAfter = await a.GetSessionAsync(session);
        Assert.Equal("connected", (string?)sessionAfter["status"]);
        Assert.Equal((string?)sessionBefore["phoneNumber"], (string?)sessionAfter["phoneNumber"]);
        Assert.Equal(sessionBefore["history"]!.ToJsonString(), sessionAfter["history"]!.ToJsonString());
        Assert.Equal(sessionBefore["settings"]!.ToJsonString(), sessionAfter["settings"]!.ToJsonString());
        Assert.Equal(messagesBefore, Snapshot(await a.ListAllMessagesAsync(session)));
        Assert.Equal(0L, await fixture.Cluster.QueryScalarAsync<long>("SELECT count(*) FROM sessions WHERE tenant_id = @b", ("b", tenantB)));
        Assert.Equal(0L, await fixture.Cluster.QueryScalarAsync<long>("SELECT count(*) FROM messages WHERE tenant_id = @b", ("b", tenantB)));
    }

    [Fact]
    public async Task Another_tenant_cannot_link_a_number_that_a_tenants_session_is_paired_to_and_the_numbers_messages_stay_with_it()
    {
        var (_, a) = await fixture.Cluster.CreateTenantClientAsync();
        var (_, b) = await fixture.Cluster.CreateTenantClientAsync();
        const string number = "+12015550981";
        var aSession = await a.CreatePairedSessionAsync(number);
        var bSession = (string)(await b.CreateSessionAsync())["id"]!;

        await (await b.PostAsJsonAsync($"/v1/sessions/{bSession}/dev/scan", new { phoneNumber = number })).AssertProblemAsync(HttpStatusCode.Conflict, "session-state");
        var code = (string)(await (await b.PostAsJsonAsync($"/v1/sessions/{bSession}/pairing-code", new { phoneNumber = number })).ReadJsonAsync(HttpStatusCode.OK))["code"]!;
        await (await b.PostAsJsonAsync($"/v1/sessions/{bSession}/dev/enter-code", new { phoneNumber = number, code })).AssertProblemAsync(HttpStatusCode.Conflict, "session-state");

        Assert.Equal("connected", (string?)(await a.GetSessionAsync(aSession))["status"]);
        Assert.NotEqual("connected", (string?)(await b.GetSessionAsync(bSession))["status"]);
        // The number's customers still reach A, and only A.
        var customer = await b.CreatePairedSessionAsync("+12015550982");
        await b.SendTextAsync(customer, number, "for A's shop");
        await Api.EventuallyAsync(() => a.ListAllMessagesAsync(aSession, "inbound"), m => m.Any(x => (string?)x["text"] == "for A's shop"), Patience, "A to receive the message");
        Assert.Empty(await b.ListAllMessagesAsync(bSession));
    }

    private static List<string> Snapshot(List<JsonNode> messages) =>
        messages.Select(m => $"{m["id"]} {m["status"]} {m["to"]}").ToList();
}
