using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests;

[Collection(SharedClusterCollection.Name)]
public sealed class SessionManagementTests(SharedClusterFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly HttpClient _client = fixture.Cluster.CreateClient();

    [Fact]
    public async Task Sessions_are_listed_newest_first_and_filtered_by_status()
    {
        var paired = await _client.CreatePairedSessionAsync("+12015550401");
        var pairing = (string)(await _client.CreateSessionAsync("list"))["id"]!;

        var connected = await (await _client.GetAsync("/v1/sessions?status=connected&limit=200")).ReadJsonAsync(HttpStatusCode.OK);
        var connectedIds = connected["items"]!.AsArray().Select(i => (string)i!["id"]!).ToList();
        Assert.Contains(paired, connectedIds);
        Assert.DoesNotContain(pairing, connectedIds);

        var all = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await _client.GetAsync("/v1/sessions?limit=2" + (cursor is null ? "" : $"&cursor={cursor}"))).ReadJsonAsync(HttpStatusCode.OK);
            all.AddRange(page["items"]!.AsArray().Select(i => (string)i!["id"]!));
            cursor = (string?)page["nextCursor"];
        } while (cursor is not null);
        Assert.True(all.IndexOf(pairing) < all.IndexOf(paired), "the newer session comes first");
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public async Task Me_shows_the_paired_number_and_profile()
    {
        var id = (string)(await _client.CreateSessionAsync())["id"]!;
        Assert.Equal(HttpStatusCode.Conflict, (await _client.GetAsync($"/v1/sessions/{id}/me")).StatusCode);

        await (await _client.PostAsJsonAsync($"/v1/sessions/{id}/dev/scan", new { phoneNumber = "+12015550402", profileName = "Shop" })).ReadJsonAsync(HttpStatusCode.OK);

        var me = await (await _client.GetAsync($"/v1/sessions/{id}/me")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("+12015550402", (string?)me["phoneNumber"]);
        Assert.Equal("Shop", (string?)me["profileName"]);
    }

    [Fact]
    public async Task A_session_pairs_with_a_pairing_code_typed_on_the_phone()
    {
        var id = (string)(await _client.CreateSessionAsync())["id"]!;
        var code = await (await _client.PostAsJsonAsync($"/v1/sessions/{id}/pairing-code", new { phoneNumber = "+12015550403" })).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Matches("^[A-Z0-9]{4}-[A-Z0-9]{4}$", (string)code["code"]!);

        var wrongPhone = await _client.PostAsJsonAsync($"/v1/sessions/{id}/dev/enter-code", new { phoneNumber = "+12015550404", code = (string)code["code"]! });
        Assert.Equal(HttpStatusCode.Conflict, wrongPhone.StatusCode);

        var paired = await (await _client.PostAsJsonAsync($"/v1/sessions/{id}/dev/enter-code", new { phoneNumber = "+12015550403", code = (string)code["code"]! })).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("connected", (string?)paired["status"]);
        Assert.Equal("+12015550403", (string?)paired["phoneNumber"]);
    }

    [Fact]
    public async Task Stop_keeps_the_pairing_and_holds_messages_until_start()
    {
        var sender = await _client.CreatePairedSessionAsync("+12015550405");
        var receiver = await _client.CreatePairedSessionAsync("+12015550406");

        var stopped = await (await _client.PostAsync($"/v1/sessions/{receiver}/stop", null)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("disconnected", (string?)stopped["status"]);
        Assert.Equal("stopped", (string?)stopped["history"]!.AsArray().Last()!["reason"]);

        await _client.SendTextAsync(sender, "+12015550406", "while you were away");
        var sent = await Api.EventuallyAsync(() => _client.ListAllMessagesAsync(sender), m => (string?)m.Single()["status"] == "sent", Patience, "the message to leave the sender");
        Assert.Empty(await _client.ListAllMessagesAsync(receiver, "inbound"));

        var started = await (await _client.PostAsync($"/v1/sessions/{receiver}/start", null)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("connected", (string?)started["status"]);
        Assert.Equal("+12015550406", (string?)started["phoneNumber"]);
        await Api.EventuallyAsync(() => _client.ListAllMessagesAsync(receiver, "inbound"), m => m.Count == 1, Patience, "the held message after start");

        var restarted = await (await _client.PostAsync($"/v1/sessions/{receiver}/restart", null)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("connected", (string?)restarted["status"]);
    }

    [Fact]
    public async Task Delete_removes_the_session_and_its_messages()
    {
        var id = await _client.CreatePairedSessionAsync("+12015550407");
        await _client.SendTextAsync(id, "+12015550408", "soon gone");

        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync($"/v1/sessions/{id}")).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/v1/sessions/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/v1/sessions/{id}/messages")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.DeleteAsync($"/v1/sessions/{id}")).StatusCode);
        Assert.Equal(0L, await fixture.Cluster.QueryScalarAsync<long>("SELECT count(*) FROM messages WHERE session_id = @id", ("id", id)));
        var list = await (await _client.GetAsync("/v1/sessions?limit=200")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(id, list["items"]!.AsArray().Select(i => (string)i!["id"]!));
    }

    [Fact]
    public async Task Settings_change_pacing_without_a_restart()
    {
        var id = await _client.CreatePairedSessionAsync("+12015550409");

        var updated = await (await _client.PatchAsJsonAsync($"/v1/sessions/{id}/settings", new { messagesPerSecond = 2.5, recipientGapMilliseconds = 300 })).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal(2.5, (double)updated["settings"]!["messagesPerSecond"]!);
        Assert.Equal(300, (int)updated["settings"]!["recipientGapMilliseconds"]!);
        Assert.Equal("connected", (string?)updated["status"]);
        var bad = await _client.PatchAsJsonAsync($"/v1/sessions/{id}/settings", new { messagesPerSecond = 0 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("messagesPerSecond", (await bad.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Concurrent_retries_with_one_idempotency_key_create_one_message_and_equal_replies()
    {
        var id = await _client.CreatePairedSessionAsync("+12015550410");
        var key = Guid.NewGuid().ToString();

        var replies = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/sessions/{id}/messages") { Content = JsonContent.Create(new { to = "+12015550411", text = "exactly once" }) };
            request.Headers.Add("Idempotency-Key", key);
            var response = await _client.SendAsync(request);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }));

        Assert.All(replies, r => Assert.Equal(202, r.Item1));
        Assert.Single(replies.Select(r => r.Item2).Distinct());
        Assert.Equal(1L, await fixture.Cluster.QueryScalarAsync<long>("SELECT count(*) FROM messages WHERE session_id = @id", ("id", id)));

        using var different = new HttpRequestMessage(HttpMethod.Post, $"/v1/sessions/{id}/messages") { Content = JsonContent.Create(new { to = "+12015550411", text = "something else" }) };
        different.Headers.Add("Idempotency-Key", key);
        var conflict = await _client.SendAsync(different);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, conflict.StatusCode);
        Assert.Equal("https://orleanssaas.dev/problems/idempotency-conflict", (string?)JsonNode.Parse(await conflict.Content.ReadAsStringAsync())!["type"]);
    }

    [Fact]
    public async Task A_typing_indicator_shows_in_the_recipients_presence_until_it_expires()
    {
        var alice = await _client.CreatePairedSessionAsync("+12015550421");
        var bob = await _client.CreatePairedSessionAsync("+12015550422");

        Assert.Equal(HttpStatusCode.Accepted, (await _client.PostAsJsonAsync($"/v1/sessions/{alice}/typing", new { to = "+12015550422", durationSeconds = 2 })).StatusCode);

        var presence = await Api.EventuallyAsync(async () => await (await _client.GetAsync($"/v1/sessions/{bob}/presence")).ReadJsonAsync(HttpStatusCode.OK),
            p => p["typing"]!.AsArray().Count == 1, Patience, "alice typing at bob");
        Assert.Equal("+12015550421", (string?)presence["typing"]![0]!["peer"]);
        await Api.EventuallyAsync(async () => await (await _client.GetAsync($"/v1/sessions/{bob}/presence")).ReadJsonAsync(HttpStatusCode.OK),
            p => p["typing"]!.AsArray().Count == 0, Patience, "the indicator to expire");
        var bad = await _client.PostAsJsonAsync($"/v1/sessions/{alice}/typing", new { to = "+12015550422", durationSeconds = 60 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Message_history_filters_by_direction_status_peer_and_time()
    {
        var me = await _client.CreatePairedSessionAsync("+12015550431");
        var friend = await _client.CreatePairedSessionAsync("+12015550432");
        var start = DateTimeOffset.UtcNow.AddSeconds(-1);
        await _client.SendTextAsync(me, "+12015550432", "to friend");
        await _client.SendTextAsync(me, "+12015550433", "to stranger");
        await _client.SendTextAsync(friend, "+12015550431", "hello back");
        await Api.EventuallyAsync(() => _client.ListAllMessagesAsync(me, "inbound"), m => m.Count == 1, Patience, "the reply");

        async Task<List<string>> Texts(string query) =>
            (await (await _client.GetAsync($"/v1/sessions/{me}/messages?{query}")).ReadJsonAsync(HttpStatusCode.OK))["items"]!.AsArray().Select(m => (string)m!["text"]!).ToList();

        Assert.Equal(["hello back", "to friend"], await Texts("peer=%2B12015550432"));
        Assert.Equal(["to stranger"], await Texts("peer=%2B12015550433&direction=outbound"));
        Assert.Equal(["hello back"], await Texts("status=delivered&direction=inbound"));
        Assert.Equal(3, (await Texts($"from={Uri.EscapeDataString(start.ToString("O"))}")).Count);
        Assert.Empty(await Texts($"to={Uri.EscapeDataString(start.ToString("O"))}"));
        foreach (var (query, field) in new[] { ("status=lost", "status"), ("peer=12", "peer"), ("from=yesterday", "from") })
        {
            var problem = await (await _client.GetAsync($"/v1/sessions/{me}/messages?{query}")).ReadJsonAsync(HttpStatusCode.BadRequest);
            Assert.Contains(field, problem["errors"]!.AsObject().Select(e => e.Key));
        }
    }

    [Fact]
    public async Task The_QR_code_is_also_served_as_base64_JSON()
    {
        var id = (string)(await _client.CreateSessionAsync())["id"]!;
        var qr = await (await _client.GetAsync($"/v1/sessions/{id}/qr?format=base64")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.StartsWith("2@", (string)qr["value"]!);
        Assert.Equal("image/png", (string?)qr["mimeType"]);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], Convert.FromBase64String((string)qr["base64"]!)[..4]);
    }
}
