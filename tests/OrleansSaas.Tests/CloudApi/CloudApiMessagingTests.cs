using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OrleansSaas.Tests.Infrastructure.CloudApi;

using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.CloudApi;

[Collection(CloudApiCollection.Name)]
public sealed class CloudApiMessagingTests(CloudApiFixture fixture)
{
    private TestCluster Cluster => fixture.Cluster;
    private FakeGraphApi Graph => fixture.Graph;

    private async Task<(HttpClient Client, FakeNumber Number, string SessionId, string Peer)> ConnectedSessionWithOpenWindowAsync()
    {
        var (_, client) = await Cluster.CreateTenantClientAsync();
        var number = Graph.AddNumber();
        var id = (string)(await client.CreateCloudSessionAsync(number, Cluster.GatewayUrl))["id"]!;
        var peer = "16502" + FakeGraphApi.RandomDigits(6);
        await client.ReceiveTextAsync(Graph, number, id, peer);
        return (client, number, id, peer);
    }

    private static async Task<string> SendAsync(HttpClient client, string sessionId, object body) =>
        (string)(await (await client.PostAsJsonAsync($"/v1/sessions/{sessionId}/messages", body)).ReadJsonAsync(HttpStatusCode.Accepted))["id"]!;

    private async Task<JsonNode> SendReachingGraphAsync(FakeNumber number, HttpClient client, string sessionId, object body)
    {
        var before = Graph.SendsOf(number).Count;
        var id = await SendAsync(client, sessionId, body);
        var sends = await Api.EventuallyAsync(() => Task.FromResult(Graph.SendsOf(number)), s => s.Count > before, TimeSpan.FromSeconds(30), "the send at the Graph API");
        var sent = sends[before];
        Assert.Equal(id, (string?)sent["biz_opaque_callback_data"]);
        return sent;
    }

    [Fact]
    public async Task Each_message_type_reaches_the_graph_api_in_its_documented_form()
    {
        var (client, number, id, peer) = await ConnectedSessionWithOpenWindowAsync();
        var to = "+" + peer;

        var text = await SendReachingGraphAsync(number, client, id, new { to, text = "Hello ✓" });
        Assert.Equal("whatsapp", (string?)text["messaging_product"]);
        Assert.Equal("individual", (string?)text["recipient_type"]);
        Assert.Equal(to, (string?)text["to"]);
        Assert.Equal("text", (string?)text["type"]);
        Assert.Equal("Hello ✓", (string?)text["text"]!["body"]);

        var template = await SendReachingGraphAsync(number, client, id, new
        {
            to, type = "template",
            template = new { name = "order_update", language = "en_US", components = new object[] { new { type = "body", parameters = new object[] { new { type = "text", text = "Ada" } } } } },
        });
        Assert.Equal("template", (string?)template["type"]);
        Assert.Equal("order_update", (string?)template["template"]!["name"]);
        Assert.Equal("en_US", (string?)template["template"]!["language"]!["code"]);
        Assert.Equal("Ada", (string?)template["template"]!["components"]![0]!["parameters"]![0]!["text"]);

        // Media by our id: uploaded to /{phone-number-id}/media once, then sent by the Graph media id.
        var png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(png);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(file, "file", "dot.png");
        var mediaId = (string)(await (await client.PostAsync("/v1/media", form)).ReadJsonAsync(HttpStatusCode.Created))["id"]!;
        var image = await SendReachingGraphAsync(number, client, id, new { to, type = "image", image = new { mediaId, caption = "a dot" } });
        var graphMediaId = (string)image["image"]!["id"]!;
        Assert.Equal("a dot", (string?)image["image"]!["caption"]);
        Assert.Equal(png, Graph.UploadedBytes(graphMediaId));
        var again = await SendReachingGraphAsync(number, client, id, new { to, type = "image", image = new { mediaId } });
        Assert.Equal(graphMediaId, (string?)again["image"]!["id"]);
        Assert.Single(Graph.Requests, r => r.Path.EndsWith($"/{number.PhoneNumberId}/media"));

        var link = await SendReachingGraphAsync(number, client, id, new { to, type = "document", document = new { link = "https://example.com/a.pdf", fileName = "a.pdf", caption = "terms" } });
        Assert.Equal("https://example.com/a.pdf", (string?)link["document"]!["link"]);
        Assert.Equal("a.pdf", (string?)link["document"]!["filename"]);

        var location = await SendReachingGraphAsync(number, client, id, new { to, type = "location", location = new { latitude = 52.37, longitude = 4.89, name = "Dam" } });
        Assert.Equal(52.37, (double)location["location"]!["latitude"]!);
        Assert.Equal("Dam", (string?)location["location"]!["name"]);

        var contacts = await SendReachingGraphAsync(number, client, id, new { to, type = "contacts", contacts = new[] { new { name = new { formattedName = "Ada L" }, phones = new[] { new { phone = "+441234567", type = "CELL" } } } } });
        Assert.Equal("Ada L", (string?)contacts["contacts"]![0]!["name"]!["formatted_name"]);
        Assert.Equal("+441234567", (string?)contacts["contacts"]![0]!["phones"]![0]!["phone"]);

        var buttons = await SendReachingGraphAsync(number, client, id, new { to, type = "buttons", interactive = new { body = "Pick", buttons = new[] { new { id = "y", title = "Yes" }, new { id = "n", title = "No" } } } });
        Assert.Equal("interactive", (string?)buttons["type"]);
        Assert.Equal("button", (string?)buttons["interactive"]!["type"]);
        Assert.Equal("Pick", (string?)buttons["interactive"]!["body"]!["text"]);
        Assert.Equal("reply", (string?)buttons["interactive"]!["action"]!["buttons"]![1]!["type"]);
        Assert.Equal("No", (string?)buttons["interactive"]!["action"]!["buttons"]![1]!["reply"]!["title"]);

        var list = await SendReachingGraphAsync(number, client, id, new { to, type = "list", interactive = new { body = "Menu", button = "Open", sections = new[] { new { title = "S", rows = new[] { new { id = "r1", title = "Row 1", description = "d" } } } } } });
        Assert.Equal("list", (string?)list["interactive"]!["type"]);
        Assert.Equal("Open", (string?)list["interactive"]!["action"]!["button"]);
        Assert.Equal("r1", (string?)list["interactive"]!["action"]!["sections"]![0]!["rows"]![0]!["id"]);

        // Reply and reaction name the quoted message by its wamid.
        var inbound = (await client.ListAllMessagesAsync(id, "inbound"))[0];
        var reply = await SendReachingGraphAsync(number, client, id, new { to, text = "re", replyTo = (string)inbound["id"]! });
        var quoted = (string)reply["context"]!["message_id"]!;
        Assert.StartsWith("wamid.", quoted);
        var reaction = await SendReachingGraphAsync(number, client, id, new { to, type = "reaction", reaction = new { messageId = (string)inbound["id"]!, emoji = "👍" } });
        Assert.Equal(quoted, (string?)reaction["reaction"]!["message_id"]);
        Assert.Equal("👍", (string?)reaction["reaction"]!["emoji"]);
    }

    [Fact]
    public async Task Statuses_become_receipts_and_events_once_each_even_duplicated_and_out_of_order()
    {
        var (client, number, id, peer) = await ConnectedSessionWithOpenWindowAsync();
        var plain = await SendAsync(client, id, new { to = "+" + peer, text = "in order" });
        await client.WaitForStatusAsync(id, plain, "read");

        Graph.DuplicateStatuses = true;
        Graph.ReverseStatuses = true;
        try
        {
            var messy = await SendAsync(client, id, new { to = "+" + peer, text = "duplicated and reversed" });
            await client.WaitForStatusAsync(id, messy, "read");
            // All six webhooks (read, read, delivered, delivered, sent, sent) answered before we count.
            await Task.Delay(1500);
            var final = await (await client.GetAsync($"/v1/sessions/{id}/messages/{messy}")).ReadJsonAsync(HttpStatusCode.OK);
            Assert.Equal("read", (string?)final["status"]);
            var events = (await client.EventsAsync(id)).Where(e => (string?)e["data"]!["id"] == messy).Select(e => (string)e["type"]!).ToList();
            Assert.Equal(1, events.Count(t => t == "message.read"));
            Assert.True(events.Count(t => t == "message.sent") <= 1);
            Assert.DoesNotContain("message.delivered", events.SkipWhile(t => t != "message.read"));
        }
        finally
        {
            Graph.DuplicateStatuses = false;
            Graph.ReverseStatuses = false;
        }
        var plainEvents = (await client.EventsAsync(id)).Where(e => (string?)e["data"]!["id"] == plain).Select(e => (string)e["type"]!).ToList();
        Assert.Equal(["message.queued", "message.sent", "message.delivered", "message.read"], plainEvents);
    }

    [Fact]
    public async Task A_closed_window_at_meta_fails_the_message_with_131047()
    {
        var (client, number, id, peer) = await ConnectedSessionWithOpenWindowAsync();
        number.ClosedWindows["+" + peer] = true;
        var message = await SendAsync(client, id, new { to = "+" + peer, text = "too late" });
        var failed = await client.WaitForStatusAsync(id, message, "failed");
        Assert.Contains("131047", (string?)failed["error"]);
        Assert.Contains("Re-engagement", (string?)failed["error"]);
    }

    [Fact]
    public async Task A_synchronous_error_that_will_not_pass_fails_the_message_with_its_code()
    {
        var (client, number, id, peer) = await ConnectedSessionWithOpenWindowAsync();
        number.NextSendErrors.Enqueue(131026);
        var message = await SendAsync(client, id, new { to = "+" + peer, text = "undeliverable" });
        var failed = await client.WaitForStatusAsync(id, message, "failed");
        Assert.StartsWith("131026:", (string?)failed["error"]);
        Assert.Single(Graph.SendsOf(number), s => (string?)s["biz_opaque_callback_data"] == message);
    }

    [Fact]
    public async Task Throughput_limits_delay_messages_but_every_accepted_one_is_delivered_once()
    {
        var (client, number, id, peer) = await ConnectedSessionWithOpenWindowAsync();
        for (var i = 0; i < 3; i++) number.NextSendErrors.Enqueue(130429);
        number.NextSendErrors.Enqueue(131000);
        var ids = new List<string>();
        for (var i = 0; i < 20; i++) ids.Add(await SendAsync(client, id, new { to = "+" + peer, text = $"burst {i}" }));
        foreach (var message in ids) await client.WaitForStatusAsync(id, message, "delivered");
        var accepted = Graph.SendsOf(number).Select(s => (string)s["biz_opaque_callback_data"]!).Where(ids.Contains).ToList();
        // Four refused attempts, then each message accepted by the Graph API exactly once, in order.
        Assert.Equal(ids.Count + 4, accepted.Count);
        var answeredOk = accepted.Skip(4).ToList();
        Assert.Equal(ids, answeredOk);
    }

    [Fact]
    public async Task A_pair_rate_limit_delays_only_that_recipient()
    {
        var (client, number, id, peer) = await ConnectedSessionWithOpenWindowAsync();
        var other = "16502" + FakeGraphApi.RandomDigits(6);
        await client.ReceiveTextAsync(Graph, number, id, other, "me too");
        number.NextSendErrors.Enqueue(131056);
        var slow = await SendAsync(client, id, new { to = "+" + peer, text = "to the busy peer" });
        var fast = await SendAsync(client, id, new { to = "+" + other, text = "to someone else" });
        await client.WaitForStatusAsync(id, fast, "sent");
        await client.WaitForStatusAsync(id, slow, "delivered");
        var order = Graph.SendsOf(number).Select(s => (string)s["biz_opaque_callback_data"]!).Where(m => m == slow || m == fast).ToList();
        Assert.Equal(new[] { slow, fast, slow }, order);
    }

    [Fact]
    public async Task Mark_read_and_typing_use_the_documented_calls()
    {
        var (client, number, id, peer) = await ConnectedSessionWithOpenWindowAsync();
        var inbound = (await client.ListAllMessagesAsync(id, "inbound"))[0];
        (await client.PostAsync($"/v1/sessions/{id}/messages/{(string)inbound["id"]!}/read", null)).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync($"/v1/sessions/{id}/typing", new { to = "+" + peer, durationSeconds = 5 })).EnsureSuccessStatusCode();
        var marks = Graph.ReadMarksOf(number);
        Assert.Equal(2, marks.Count);
        Assert.All(marks, m => Assert.StartsWith("wamid.", (string?)m["message_id"]));
        Assert.Null(marks[0]["typing_indicator"]);
        Assert.Equal("text", (string?)marks[1]["typing_indicator"]!["type"]);
    }

    [Fact]
    public async Task A_graph_api_that_answers_slowly_or_not_at_all_loses_nothing_and_sends_once_when_it_answers_again()
    {
        var (client, number, id, peer) = await ConnectedSessionWithOpenWindowAsync();
        string hung;
        try
        {
            // Slower than usual but within the engine's 5 s request timeout: one send, sent.
            Graph.AnswerDelay = TimeSpan.FromSeconds(2);
            var slow = await SendAsync(client, id, new { to = "+" + peer, text = "slowly" });
            await client.WaitForStatusAsync(id, slow, "sent");
            Assert.Single(Graph.SendsOf(number), s => (string?)s["biz_opaque_callback_data"] == slow);

            // No answer at all: each attempt times out and is retried; the message stays queued, neither lost nor failed.
            Graph.AnswerDelay = TimeSpan.Zero;
            Graph.NoAnswer = true;
            hung = await SendAsync(client, id, new { to = "+" + peer, text = "into silence" });
            await Task.Delay(TimeSpan.FromSeconds(12)); // past two 5 s request timeouts
            var waiting = await (await client.GetAsync($"/v1/sessions/{id}/messages/{hung}")).ReadJsonAsync(HttpStatusCode.OK);
            Assert.Equal("queued", (string?)waiting["status"]);
            Assert.Equal("connected", (string?)(await client.GetSessionAsync(id))["status"]);
        }
        finally
        {
            Graph.NoAnswer = false;
            Graph.AnswerDelay = TimeSpan.Zero;
        }
        await client.WaitForStatusAsync(id, hung, "delivered");
        // The unanswered attempts never reached the Graph API's handler, so the peer gets it once.
        Assert.Single(Graph.SendsOf(number), s => (string?)s["biz_opaque_callback_data"] == hung);
    }

    [Fact]
    public async Task A_peer_known_only_by_a_business_scoped_user_id_is_answered_at_that_id_and_other_engines_refuse_it()
    {
        var (_, client) = await Cluster.CreateTenantClientAsync();
        var number = Graph.AddNumber();
        var id = (string)(await client.CreateCloudSessionAsync(number, Cluster.GatewayUrl))["id"]!;
        var userId = "US." + FakeGraphApi.RandomDigits(20);
        var json = FakeGraphApi.MessageJson(number, "", FakeGraphApi.NewWamid(), "text", FakeGraphApi.TextObject("hidden number"), userId: userId);
        Assert.Equal(HttpStatusCode.OK, (await Graph.PostWebhookAsync(number, json)).StatusCode);
        await Api.EventuallyAsync(() => client.ListAllMessagesAsync(id, "inbound"), m => m.Count > 0, TimeSpan.FromSeconds(30), "the inbound message");

        var sent = await SendReachingGraphAsync(number, client, id, new { to = userId, text = "hello, username" });
        Assert.Equal(userId, (string?)sent["recipient"]);
        Assert.Null(sent["to"]);
        var message = (string)sent["biz_opaque_callback_data"]!;
        await client.WaitForStatusAsync(id, message, "delivered");
        var conversation = await (await client.GetAsync($"/v1/sessions/{id}/messages?peer={userId}")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, conversation["items"]!.AsArray().Count);

        // The window applies to a user id as to a number: one that never wrote gets nothing but a template.
        var stranger = await client.PostAsJsonAsync($"/v1/sessions/{id}/messages", new { to = "US." + FakeGraphApi.RandomDigits(20), text = "hi" });
        await stranger.AssertProblemNamingAsync("type", HttpStatusCode.UnprocessableEntity);
        // Not an id of either form: 400 naming to.
        var malformed = await client.PostAsJsonAsync($"/v1/sessions/{id}/messages", new { to = "us.1234", text = "hi" });
        await malformed.AssertProblemNamingAsync("to", HttpStatusCode.BadRequest);

        // An engine that addresses phone numbers only refuses a user id before anything is queued.
        var engines = await (await client.GetAsync("/v1/engines")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(["phone_number", "user_id"], engines["data"]!.AsArray().Single(e => (string?)e!["name"] == "cloud_api")!["peerForms"]!.AsArray().Select(f => (string)f!));
        var simulated = await client.CreatePairedSessionAsync("+14155550197");
        var refused = await client.PostAsJsonAsync($"/v1/sessions/{simulated}/messages", new { to = userId, text = "hi" });
        var problem = await refused.AssertProblemNamingAsync("to", HttpStatusCode.UnprocessableEntity);
        Assert.Contains("phone number", (string?)problem["detail"]);
        Assert.Empty(await client.ListAllMessagesAsync(simulated));
    }
}
