using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.CloudApi;

[Collection(CloudApiCollection.Name)]
public sealed class CloudApiSessionTests(CloudApiFixture fixture)
{
    private TestCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task Engines_lists_each_engine_with_its_pairing_types_and_settings()
    {
        using var client = Cluster.CreateClient();
        var data = (await (await client.GetAsync("/v1/engines")).ReadJsonAsync(HttpStatusCode.OK))["data"]!.AsArray();
        var simulated = data.Single(e => (string?)e!["name"] == "simulated")!;
        Assert.Equal(["qr", "pairing_code"], simulated["pairing"]!.AsArray().Select(p => (string)p!));
        Assert.Null((string?)simulated["settingsField"]);
        Assert.Empty(simulated["settings"]!.AsArray());
        Assert.DoesNotContain("template", simulated["messageTypes"]!.AsArray().Select(t => (string)t!));

        var cloud = data.Single(e => (string?)e!["name"] == "cloud_api")!;
        Assert.Equal("WhatsApp Cloud API", (string?)cloud["displayName"]);
        Assert.Empty(cloud["pairing"]!.AsArray());
        Assert.Equal("cloudApi", (string?)cloud["settingsField"]);
        Assert.Contains("template", cloud["messageTypes"]!.AsArray().Select(t => (string)t!));
        var settings = cloud["settings"]!.AsArray().ToDictionary(s => (string)s!["name"]!, s => s!);
        Assert.Equal(["phoneNumberId", "accessToken", "appSecret", "verifyToken", "wabaId"], settings.Keys);
        Assert.True((bool)settings["accessToken"]["secret"]!);
        Assert.True((bool)settings["appSecret"]["secret"]!);
        Assert.True((bool)settings["verifyToken"]["secret"]!);
        Assert.False((bool)settings["phoneNumberId"]["secret"]!);
        Assert.False((bool)settings["wabaId"]["required"]!);

        using var anonymous = new HttpClient { BaseAddress = Cluster.GatewayUrl };
        await (await anonymous.GetAsync("/v1/engines")).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_cloud_api_session_connects_with_the_numbers_name_and_never_shows_its_secrets()
    {
        var (_, client) = await Cluster.CreateTenantClientAsync();
        var number = fixture.Graph.AddNumber(verifiedName: "Acme Support");
        var created = await client.CreateCloudSessionAsync(number, Cluster.GatewayUrl);
        var id = (string)created["id"]!;
        Assert.Equal("cloud_api", (string?)created["engine"]);
        Assert.Equal("connected", (string?)created["status"]);
        Assert.Equal("+" + number.DisplayPhoneNumber, (string?)created["phoneNumber"]);
        Assert.Equal("Acme Support", (string?)created["profileName"]);
        // The webhook id is random: neither the tenant nor the session can be read from it.
        var webhookUrl = (string)created["webhookUrl"]!;
        Assert.Matches("^/v1/cloud-api/webhooks/wh_[0-9a-f]{32}$", webhookUrl);
        Assert.DoesNotContain(id, webhookUrl);
        Assert.Equal(80, (double)created["settings"]!["messagesPerSecond"]!);

        foreach (var body in new[] { created.ToJsonString(), await client.GetStringAsync($"/v1/sessions/{id}"), await client.GetStringAsync("/v1/sessions") })
        {
            Assert.DoesNotContain(number.AccessToken, body);
            Assert.DoesNotContain(number.AppSecret, body);
            Assert.DoesNotContain("verify-" + number.PhoneNumberId, body);
        }
        // Encrypted at rest: the token appears in no table in clear.
        var sealedState = await Cluster.QueryScalarAsync<byte[]>("SELECT sealed FROM engine_state WHERE session_id = @id", ("id", id));
        Assert.NotNull(sealedState);
        Assert.DoesNotContain(number.AccessToken, System.Text.Encoding.UTF8.GetString(sealedState!));
    }

    [Fact]
    public async Task A_wrong_token_is_auth_failed_and_a_rotated_token_connects_without_a_restart()
    {
        var (_, client) = await Cluster.CreateTenantClientAsync();
        var number = fixture.Graph.AddNumber();
        var created = await client.CreateCloudSessionAsync(number, Cluster.GatewayUrl, accessToken: "EAAGwrongwrongwrong");
        var id = (string)created["id"]!;
        Assert.Equal("disconnected", (string?)created["status"]);
        Assert.Equal("auth_failed", (string?)created["history"]!.AsArray()[^1]!["reason"]);

        var rotated = await client.PatchAsJsonAsync($"/v1/sessions/{id}/settings", new { cloudApi = new { accessToken = number.AccessToken } });
        var session = await rotated.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("connected", (string?)session["status"]);

        // Meta revokes it later: the next call with it disconnects the session again.
        number.AccessToken = "EAAGrevoked" + Guid.NewGuid().ToString("N");
        await client.ReceiveTextAsync(fixture.Graph, number, id, "16505550100");
        using var send = await client.PostAsJsonAsync($"/v1/sessions/{id}/messages", new { to = "+16505550100", text = "still there?" });
        var message = await send.ReadJsonAsync(HttpStatusCode.Accepted);
        var disconnected = await client.WaitForSessionAsync(id, s => (string?)s["status"] == "disconnected", "the session to disconnect on 190");
        Assert.Equal("auth_failed", (string?)disconnected["history"]!.AsArray()[^1]!["reason"]);
        // The message was not lost: it waits in the queue and goes once a new token is given.
        await client.PatchAsJsonAsync($"/v1/sessions/{id}/settings", new { cloudApi = new { accessToken = number.AccessToken } });
        await client.WaitForStatusAsync(id, (string)message["id"]!, "read");
    }

    [Theory]
    [InlineData("""{"engine":"cloud_api"}""", "cloudApi")]
    [InlineData("""{"engine":"cloud_api","cloudApi":{"phoneNumberId":"123","appSecret":"abcdefgh1234","verifyToken":"v"}}""", "cloudApi.accessToken")]
    [InlineData("""{"engine":"cloud_api","cloudApi":{"phoneNumberId":"12a","accessToken":"EAAGxxxxxxxx","appSecret":"abcdefgh1234","verifyToken":"v"}}""", "cloudApi.phoneNumberId")]
    [InlineData("""{"engine":"cloud_api","cloudApi":{"phoneNumberId":"123","accessToken":7,"appSecret":"abcdefgh1234","verifyToken":"v"}}""", "cloudApi.accessToken")]
    [InlineData("""{"engine":"cloud_api","cloudApi":{"phoneNumberId":"123","accessToken":"EAAGxxxxxxxx","appSecret":"abcdefgh1234","verifyToken":"v","pin":"1"}}""", "cloudApi.pin")]
    [InlineData("""{"engine":"simulated","cloudApi":{"phoneNumberId":"123"}}""", "cloudApi")]
    [InlineData("""{"engine":"cloud_api","cloudApi":"EAAG"}""", "cloudApi")]
    public async Task Bad_engine_settings_are_a_400_naming_the_field_and_create_nothing(string body, string field)
    {
        var (_, client) = await Cluster.CreateTenantClientAsync();
        var response = await client.PostAsync("/v1/sessions", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        await response.AssertProblemNamingAsync(field);
        var list = await (await client.GetAsync("/v1/sessions")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Empty(list["items"]!.AsArray());
    }

    [Fact]
    public async Task Simulated_and_cloud_api_sessions_live_side_by_side_and_a_type_an_engine_cannot_carry_is_refused_before_queueing()
    {
        var (_, client) = await Cluster.CreateTenantClientAsync();
        var simulated = await client.CreatePairedSessionAsync("+14155550191");
        var number = fixture.Graph.AddNumber();
        var cloud = (string)(await client.CreateCloudSessionAsync(number, Cluster.GatewayUrl))["id"]!;

        var template = new { to = "+14155550192", type = "template", template = new { name = "order_update", language = "en_US" } };
        var refused = await client.PostAsJsonAsync($"/v1/sessions/{simulated}/messages", template);
        await refused.AssertProblemNamingAsync("type", HttpStatusCode.UnprocessableEntity);
        Assert.Empty(await client.ListAllMessagesAsync(simulated));

        // The Cloud API's window: nothing but a template to a peer who never wrote.
        var outside = await client.PostAsJsonAsync($"/v1/sessions/{cloud}/messages", new { to = "+14155550192", text = "hello" });
        var problem = await outside.AssertProblemNamingAsync("type", HttpStatusCode.UnprocessableEntity);
        Assert.Contains("24 hours", (string?)problem["detail"]);
        Assert.Empty(await client.ListAllMessagesAsync(cloud));
        (await client.PostAsJsonAsync($"/v1/sessions/{cloud}/messages", template)).EnsureSuccessStatusCode();

        // The simulated session is unaffected by any window: it sends text to a number that never wrote.
        var text = await client.SendTextAsync(simulated, "+14155550193", "no window here");
        Assert.Equal("queued", (string?)text["status"]);
        var sessions = (await (await client.GetAsync("/v1/sessions")).ReadJsonAsync(HttpStatusCode.OK))["items"]!.AsArray();
        Assert.Equal(["cloud_api", "simulated"], sessions.Select(s => (string)s!["engine"]!).Order());
    }
}
