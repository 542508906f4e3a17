using System.Net;
using System.Text;
using OrleansSaas.Tests.Infrastructure.CloudApi;

using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.CloudApi;

[Collection(CloudApiCollection.Name)]
public sealed class CloudApiInboundTests(CloudApiFixture fixture)
{
    private TestCluster Cluster => fixture.Cluster;
    private FakeGraphApi Graph => fixture.Graph;

    private async Task<(HttpClient Client, FakeNumber Number, string SessionId, string WebhookPath)> SessionAsync()
    {
        var (_, client) = await Cluster.CreateTenantClientAsync();
        var number = Graph.AddNumber();
        var session = await client.CreateCloudSessionAsync(number, Cluster.GatewayUrl);
        return (client, number, (string)session["id"]!, (string)session["webhookUrl"]!);
    }

    [Fact]
    public async Task The_verify_handshake_echoes_the_challenge_only_for_the_sessions_verify_token()
    {
        var (_, number, _, path) = await SessionAsync();
        using var meta = new HttpClient { BaseAddress = Cluster.GatewayUrl };
        var ok = await meta.GetAsync($"{path}?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=verify-{number.PhoneNumberId}");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("text/plain", ok.Content.Headers.ContentType?.MediaType);
        Assert.Equal("1158201444", await ok.Content.ReadAsStringAsync());

        await (await meta.GetAsync($"{path}?hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong")).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await meta.GetAsync($"{path}?hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=verify-{number.PhoneNumberId}")).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await meta.GetAsync($"/v1/cloud-api/webhooks/wh_{new string('0', 32)}?hub.mode=subscribe&hub.challenge=1&hub.verify_token=verify-{number.PhoneNumberId}")).AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_bad_or_missing_signature_is_401_and_stores_nothing()
    {
        var (client, number, id, _) = await SessionAsync();
        var json = FakeGraphApi.MessageJson(number, "16505550111", FakeGraphApi.NewWamid(), "text", FakeGraphApi.TextObject("forged"));
        var forged = FakeGraphApi.Sign(Encoding.UTF8.GetBytes(json), "not-the-app-secret");
        await (await Graph.PostWebhookAsync(number, json, signature: forged)).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await Graph.PostWebhookAsync(number, json, sign: false)).AssertProblemAsync(HttpStatusCode.Unauthorized);
        // Signed over other bytes than those sent (one character changed after signing).
        var tampered = FakeGraphApi.Sign(Encoding.UTF8.GetBytes(json), number.AppSecret);
        await (await Graph.PostWebhookAsync(number, json.Replace("forged", "forgeD"), signature: tampered)).AssertProblemAsync(HttpStatusCode.Unauthorized);

        Assert.Equal(0L, await Cluster.QueryScalarAsync<long>("SELECT count(*) FROM cloud_api_inbox WHERE session_id = @id", ("id", id)));
        await Task.Delay(1500);
        Assert.Empty(await client.ListAllMessagesAsync(id));
    }

    [Fact]
    public async Task The_same_webhook_twice_makes_one_message_and_one_event()
    {
        var (client, number, id, _) = await SessionAsync();
        var json = FakeGraphApi.MessageJson(number, "16505550122", FakeGraphApi.NewWamid(), "text", FakeGraphApi.TextObject("Olá, tudo bem? é"));
        Assert.Equal(HttpStatusCode.OK, (await Graph.PostWebhookAsync(number, json)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Graph.PostWebhookAsync(number, json)).StatusCode);
        var inbound = await Api.EventuallyAsync(() => client.ListAllMessagesAsync(id, "inbound"), m => m.Count > 0, TimeSpan.FromSeconds(30), "the inbound message");
        // Both rows processed before counting.
        await Api.EventuallyAsync(() => Cluster.QueryScalarAsync<long>("SELECT count(*) FROM cloud_api_inbox WHERE session_id = @id", ("id", id)),
            n => n == 0, TimeSpan.FromSeconds(30), "the inbox to drain");
        inbound = await client.ListAllMessagesAsync(id, "inbound");
        var message = Assert.Single(inbound);
        Assert.Equal("+16505550122", (string?)message["peer"]);
        Assert.Equal("Olá, tudo bem? é", (string?)message["text"]);
        Assert.Single(await client.EventsAsync(id), e => (string?)e["type"] == "message.received");
    }

    [Fact]
    public async Task Inbound_media_is_fetched_with_the_token_and_kept_in_the_tenants_store()
    {
        var (client, number, id, _) = await SessionAsync();
        var bytes = Encoding.UTF8.GetBytes("%PDF-1.4 fake document bytes");
        var graphMediaId = Graph.StoreMedia(number, "application/pdf", bytes);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        var json = FakeGraphApi.MessageJson(number, "16505550133", FakeGraphApi.NewWamid(), "document",
            $$"""{"caption":"invoice","filename":"inv.pdf","mime_type":"application/pdf","sha256":"{{sha}}","id":"{{graphMediaId}}"}""");
        Assert.Equal(HttpStatusCode.OK, (await Graph.PostWebhookAsync(number, json)).StatusCode);
        var message = (await Api.EventuallyAsync(() => client.ListAllMessagesAsync(id, "inbound"), m => m.Count > 0, TimeSpan.FromSeconds(30), "the inbound document"))[0];
        Assert.Equal("document", (string?)message["type"]);
        var mediaId = (string)message["details"]!["mediaId"]!;
        Assert.StartsWith("med_", mediaId);
        Assert.Equal(bytes, await client.GetByteArrayAsync($"/v1/media/{mediaId}/content"));
        Assert.Contains(Graph.Requests, r => r.Path.StartsWith("/media-download/") && r.Authorization == $"Bearer {number.AccessToken}");
    }

    [Fact]
    public async Task A_peer_known_only_by_a_business_scoped_user_id_is_kept_as_that_id()
    {
        var (client, number, id, _) = await SessionAsync();
        var json = FakeGraphApi.MessageJson(number, "", FakeGraphApi.NewWamid(), "text", FakeGraphApi.TextObject("no phone number"), userId: "US.13491208655302741918");
        Assert.Equal(HttpStatusCode.OK, (await Graph.PostWebhookAsync(number, json)).StatusCode);
        var message = (await Api.EventuallyAsync(() => client.ListAllMessagesAsync(id, "inbound"), m => m.Count > 0, TimeSpan.FromSeconds(30), "the inbound message"))[0];
        Assert.Equal("US.13491208655302741918", (string?)message["peer"]);
    }

    [Fact]
    public async Task Unknown_fields_and_types_are_accepted_and_kept()
    {
        var (client, number, id, _) = await SessionAsync();
        var other = $$"""{"object":"whatsapp_business_account","entry":[{"id":"{{number.WabaId}}","changes":[{"value":{"phone_number":"{{number.DisplayPhoneNumber}}","event":"VERIFIED_ACCOUNT"},"field":"account_update"}]}]}""";
        Assert.Equal(HttpStatusCode.OK, (await Graph.PostWebhookAsync(number, other)).StatusCode);
        var order = FakeGraphApi.MessageJson(number, "16505550144", FakeGraphApi.NewWamid(), "order", """{"catalog_id":"123","product_items":[{"product_retailer_id":"sku1","quantity":"2"}]}""");
        Assert.Equal(HttpStatusCode.OK, (await Graph.PostWebhookAsync(number, order)).StatusCode);
        var message = (await Api.EventuallyAsync(() => client.ListAllMessagesAsync(id, "inbound"), m => m.Count > 0, TimeSpan.FromSeconds(30), "the order message"))[0];
        Assert.Equal("order", (string?)message["type"]);
    }

    [Fact]
    public async Task Account_level_webhook_fields_are_recorded_on_the_session_and_a_disabled_account_disconnects_it_as_banned()
    {
        var (client, number, id, _) = await SessionAsync();
        string Change(string field, string value) =>
            $$"""{"object":"whatsapp_business_account","entry":[{"id":"{{number.WabaId}}","time":{{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}},"changes":[{"value":{{value}},"field":"{{field}}"}]}]}""";
        var quality = Change("phone_number_quality_update", $$"""{"display_phone_number":"{{number.DisplayPhoneNumber}}","event":"FLAGGED","current_limit":"TIER_1K"}""");
        Assert.Equal(HttpStatusCode.OK, (await Graph.PostWebhookAsync(number, quality)).StatusCode);
        var recorded = await Api.EventuallyAsync(() => client.EventsAsync(id), e => e.Any(x => (string?)x["type"] == "session.error"), TimeSpan.FromSeconds(30), "the notice's event");
        var notice = recorded.Single(e => (string?)e["type"] == "session.error")["data"]!;
        Assert.Equal("phone_number_quality_update", (string?)notice["code"]);
        Assert.Contains("FLAGGED", (string?)notice["message"]);
        Assert.Equal("connected", (string?)(await client.GetSessionAsync(id))["status"]);

        var disabled = Change("account_update", $$$"""{"phone_number":"{{{number.DisplayPhoneNumber}}}","event":"DISABLED_UPDATE","ban_info":{"waba_ban_state":"DISABLE","waba_ban_date":"2026-12-01"}}""");
        Assert.Equal(HttpStatusCode.OK, (await Graph.PostWebhookAsync(number, disabled)).StatusCode);
        var banned = await client.WaitForSessionAsync(id, s => (string?)s["status"] == "disconnected", "the session to be disconnected as banned");
        Assert.Equal("banned", (string?)banned["history"]!.AsArray()[^1]!["reason"]);
        var events = await client.EventsAsync(id);
        Assert.Contains(events, e => (string?)e["type"] == "session.error" && (string?)e["data"]!["code"] == "account_update");
    }
}
