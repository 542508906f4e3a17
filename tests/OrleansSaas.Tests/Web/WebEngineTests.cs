using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.Web;

/// <summary>One silo (a real process) running the fake sidecar, and a gateway.</summary>
public sealed class WebEngineFixture : IAsyncLifetime
{
    public FakeSidecar Sidecar { get; } = new();
    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await TestCluster.StartAsync(silos: 1, settings: Sidecar.SiloSettings());

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Sidecar.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class WebEngineCollection : ICollectionFixture<WebEngineFixture>
{
    public const string Name = "web engine";
}

public static class WebTestApi
{
    public static async Task<string> CreateWebSessionAsync(this HttpClient client, object? web = null)
    {
        var response = await client.PostAsJsonAsync("/v1/sessions", web is null ? new { name = "web", engine = "web" } : (object)new { name = "web", engine = "web", web });
        return (string)(await response.ReadJsonAsync(HttpStatusCode.Created))["id"]!;
    }

    public static Task<JsonNode> WaitForStatusAsync(this HttpClient client, string id, string status, string? reason = null) =>
        Api.EventuallyAsync(() => client.GetSessionAsync(id),
            s => (string?)s["status"] == status && (reason is null || (string?)s["history"]!.AsArray()[^1]!["reason"] == reason),
            TimeSpan.FromSeconds(40), $"session {id} {status} {reason}");

    /// <summary>Creates a web session and lets the fake's phone scan it.</summary>
    public static async Task<(string Id, string Key)> CreateConnectedAsync(this HttpClient client, FakeSidecar sidecar, string phone)
    {
        var id = await client.CreateWebSessionAsync();
        var key = await sidecar.SessionKeyAsync(id);
        await Api.EventuallyAsync(async () => await client.GetAsync($"/v1/sessions/{id}/qr"), r => r.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(20), "a QR code");
        sidecar.Command(new { op = "scan", sessionKey = key, phone, pushName = "Test Phone" });
        await client.WaitForStatusAsync(id, "connected");
        return (id, key);
    }
}

[Collection(WebEngineCollection.Name)]
public sealed class WebEngineTests(WebEngineFixture fixture)
{
    private TestCluster Cluster => fixture.Cluster;
    private FakeSidecar Sidecar => fixture.Sidecar;

    [Fact]
    public async Task Engines_lists_web_with_qr_and_pairing_code_and_no_interactive_types()
    {
        using var client = Cluster.CreateClient();
        var data = (await (await client.GetAsync("/v1/engines")).ReadJsonAsync(HttpStatusCode.OK))["data"]!.AsArray();
        var web = data.Single(e => (string?)e!["name"] == "web")!;
        Assert.Equal(["qr", "pairing_code"], web["pairing"]!.AsArray().Select(p => (string)p!));
        var types = web["messageTypes"]!.AsArray().Select(t => (string)t!).ToList();
        Assert.Contains("sticker", types);
        Assert.DoesNotContain("buttons", types);
        Assert.DoesNotContain("list", types);
    }

    [Fact]
    public async Task A_web_session_shows_rotating_qr_codes_from_the_network_then_connects_with_number_and_push_name_and_keys_in_postgres()
    {
        using var client = Cluster.CreateClient();
        var id = await client.CreateWebSessionAsync();
        var key = await Sidecar.SessionKeyAsync(id);
        var first = await Api.EventuallyAsync(async () => await client.GetAsync($"/v1/sessions/{id}/qr"), r => r.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(20), "a QR code");
        var firstQr = await first.ReadJsonAsync(HttpStatusCode.OK);
        Assert.StartsWith("2@fake", (string)firstQr["value"]!);
        var later = await Api.EventuallyAsync(async () => await (await client.GetAsync($"/v1/sessions/{id}/qr")).ReadJsonAsync(HttpStatusCode.OK),
            q => (int)q["sequence"]! > (int)firstQr["sequence"]!, TimeSpan.FromSeconds(10), "the next QR code");
        Assert.NotEqual((string)firstQr["value"]!, (string)later["value"]!);

        Sidecar.Command(new { op = "scan", sessionKey = key, phone = "4915112345678", pushName = "Test Phone" });
        var session = await client.WaitForStatusAsync(id, "connected");
        Assert.Equal("+4915112345678", (string?)session["phoneNumber"]);
        Assert.Equal("Test Phone", (string?)session["profileName"]);

        // The key batches went to PostgreSQL (pre-key 2 was deleted by the second batch), sealed, not in clear.
        var (tenant, sessionId) = (key.Split('/')[0], key.Split('/')[1]);
        Assert.Equal(2L, await Cluster.QueryScalarAsync<long>("SELECT count(*) FROM web_auth_keys WHERE tenant_id = @t AND session_id = @s", ("t", tenant), ("s", sessionId)));
        Assert.Equal(0L, await Cluster.QueryScalarAsync<long>("SELECT count(*) FROM web_auth_keys WHERE tenant_id = @t AND session_id = @s AND type = 'pre-key' AND id = '2'", ("t", tenant), ("s", sessionId)));
        Assert.Equal(0L, await Cluster.QueryScalarAsync<long>("SELECT count(*) FROM web_auth_keys WHERE position('session-one' in encode(sealed, 'escape')) > 0"));
        Assert.Equal(1L, await Cluster.QueryScalarAsync<long>("SELECT count(*) FROM web_auth_creds WHERE tenant_id = @t AND session_id = @s", ("t", tenant), ("s", sessionId)));
    }

    [Fact]
    public async Task A_send_returns_the_network_id_receipts_move_it_forward_never_back_and_inbound_text_is_stored()
    {
        using var client = Cluster.CreateClient();
        var (id, key) = await client.CreateConnectedAsync(Sidecar, "4915112340001");
        var sent = await client.SendTextAsync(id, "+4915199990001", "hello web");
        var messageId = (string)sent["id"]!;
        var send = await Api.EventuallyAsync(() => Task.FromResult(Sidecar.Entries("send", id)), e => e.Count > 0, TimeSpan.FromSeconds(20), "the send on the fake");
        Assert.Equal("4915199990001", (string?)send[0]["to"]);
        Assert.Equal("text", (string?)send[0]["content"]!["type"]);
        Assert.Equal("hello web", (string?)send[0]["content"]!["text"]);
        Assert.Equal(messageId, (string?)send[0]["messageId"]);
        var networkId = (string)send[0]["networkMessageId"]!;
        await Api.EventuallyAsync(async () => await (await client.GetAsync($"/v1/sessions/{id}/messages/{messageId}")).ReadJsonAsync(HttpStatusCode.OK),
            m => (string?)m["status"] == "sent", TimeSpan.FromSeconds(20), "sent");

        Sidecar.Command(new { op = "receipt", sessionKey = key, networkMessageId = networkId, to = "4915199990001", status = "read" });
        await Api.EventuallyAsync(async () => await (await client.GetAsync($"/v1/sessions/{id}/messages/{messageId}")).ReadJsonAsync(HttpStatusCode.OK),
            m => (string?)m["status"] == "read", TimeSpan.FromSeconds(20), "read");
        Sidecar.Command(new { op = "receipt", sessionKey = key, networkMessageId = networkId, to = "4915199990001", status = "delivered" });
        Sidecar.Command(new { op = "inbound", sessionKey = key, networkMessageId = "IN" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant(), from = "4915199990002", text = "hi from the phone" });
        var inbound = await Api.EventuallyAsync(() => client.ListAllMessagesAsync(id, "inbound"), all => all.Count > 0, TimeSpan.FromSeconds(20), "the inbound message");
        Assert.Equal("hi from the phone", (string?)inbound[0]["text"]);
        Assert.Equal("+4915199990002", (string?)inbound[0]["from"] ?? (string?)inbound[0]["peer"]);
        // The late "delivered" (sent before the inbound) did not move the read message back.
        var message = await (await client.GetAsync($"/v1/sessions/{id}/messages/{messageId}")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("read", (string?)message["status"]);
    }

    [Fact]
    public async Task Logout_unlinks_on_the_sidecar_and_removes_the_sessions_keys()
    {
        using var client = Cluster.CreateClient();
        var (id, key) = await client.CreateConnectedAsync(Sidecar, "4915112340002");
        var (tenant, sessionId) = (key.Split('/')[0], key.Split('/')[1]);
        Assert.True(await Cluster.QueryScalarAsync<long>("SELECT count(*) FROM web_auth_keys WHERE tenant_id = @t AND session_id = @s", ("t", tenant), ("s", sessionId)) > 0);
        (await client.PostAsync($"/v1/sessions/{id}/logout", null)).EnsureSuccessStatusCode();
        await client.WaitForStatusAsync(id, "logged_out");
        Assert.Single(Sidecar.Entries("logout", id));
        Assert.Equal(0L, await Cluster.QueryScalarAsync<long>("SELECT count(*) FROM web_auth_keys WHERE tenant_id = @t AND session_id = @s", ("t", tenant), ("s", sessionId)));
        Assert.Equal(0L, await Cluster.QueryScalarAsync<long>("SELECT count(*) FROM web_auth_creds WHERE tenant_id = @t AND session_id = @s", ("t", tenant), ("s", sessionId)));
    }

    [Theory]
    [InlineData(440, "disconnected", "replaced")]
    [InlineData(401, "logged_out", "logged_out")]
    [InlineData(500, "disconnected", "bad_session")]
    public async Task A_close_code_from_whatsapp_ends_in_its_status_and_reason(int code, string status, string reason)
    {
        using var client = Cluster.CreateClient();
        var (id, key) = await client.CreateConnectedAsync(Sidecar, $"49151123{code:D3}11");
        Sidecar.Command(new { op = "close", sessionKey = key, code });
        await client.WaitForStatusAsync(id, status, reason);
        // No reconnect follows a close the sidecar gave up on: no second start of the session.
        await Task.Delay(1500);
        Assert.Single(Sidecar.Entries("start", id));
        if (code == 401)
            Assert.Equal(0L, await Cluster.QueryScalarAsync<long>("SELECT count(*) FROM web_auth_creds WHERE tenant_id = @t AND session_id = @s",
                ("t", key.Split('/')[0]), ("s", key.Split('/')[1])));
    }

    [Fact]
    public async Task Bad_input_names_the_field_an_interactive_type_is_refused_with_422_naming_type()
    {
        using var client = Cluster.CreateClient();
        var (id, _) = await client.CreateConnectedAsync(Sidecar, "4915112340003");
        var buttons = await client.PostAsJsonAsync($"/v1/sessions/{id}/messages", new
        {
            to = "+4915199990003", type = "buttons",
            interactive = new { body = "Pick", buttons = new[] { new { id = "a", title = "A" } } },
        });
        await buttons.AssertProblemNamingAsync("type", HttpStatusCode.UnprocessableEntity);

        var pairing = await client.CreateWebSessionAsync();
        var malformed = await client.PostAsJsonAsync($"/v1/sessions/{pairing}/pairing-code", new { phoneNumber = "12ab" });
        await malformed.AssertProblemNamingAsync("phoneNumber");
        var badSetting = await client.PostAsJsonAsync("/v1/sessions", new { name = "web", engine = "web", web = new { phoneNumber = "0049 151" } });
        await badSetting.AssertProblemNamingAsync("web.phoneNumber");
    }

    [Fact]
    public async Task A_pairing_code_comes_from_the_sidecar_for_the_numbers_digits()
    {
        using var client = Cluster.CreateClient();
        var id = await client.CreateWebSessionAsync();
        await Sidecar.SessionKeyAsync(id);
        var reply = await (await client.PostAsJsonAsync($"/v1/sessions/{id}/pairing-code", new { phoneNumber = "+4915112340004" })).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("FAKE-CODE", (string?)reply["code"]);
        Assert.Equal("4915112340004", (string?)Sidecar.Entries("pairing.code", id).Single()["phoneNumber"]);
    }
}
