using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.Events;

[Collection(EventsClusterCollection.Name)]
public sealed class WebhookDeliveryTests(EventsClusterFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private TestCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task A_receiver_failing_its_first_five_requests_gets_every_event_in_order_per_session_each_delivered_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = n => n <= 5 ? 500 : 200;
        var (_, client) = await Cluster.CreateTenantClientAsync();
        var webhook = await CreateWebhookAsync(client, receiver.Url);

        var (alice, bob, bobPhone) = await PairTwoAsync(client);
        for (var i = 0; i < 10; i++) await client.SendTextAsync(alice, bobPhone, $"message {i}");
        await Api.EventuallyAsync(() => client.ListAllMessagesAsync(alice), m => m.All(x => (string?)x["status"] == "delivered"), Patience, "all sends delivered");

        var events = await Api.EventuallyAsync(() => AllEventsAsync(client),
            all => all.Select(e => (string)e["id"]!).Order().SequenceEqual(receiver.Accepted.Select(r => r.EventId).Distinct().Order()),
            Patience, "every event of the log accepted by the receiver");

        Assert.Equal(5, receiver.Received.Count(r => !r.Accepted));
        Assert.Equal(events.Select(e => (string)e["id"]!).Order(), receiver.Accepted.Select(r => r.EventId).Order());
        // Per session, requests (retries included) never go back in sequence: a later event waits for an earlier one.
        foreach (var session in receiver.Received.GroupBy(r => r.SessionId))
        {
            var seqs = session.OrderBy(r => r.Number).Select(r => r.Seq).ToList();
            Assert.Equal(seqs.Order(), seqs);
        }
        // Every retry carries the event id of the attempt it repeats.
        Assert.All(receiver.Received, r => Assert.Equal((string)r.Json["id"]!, r.EventId));

        var delivered = await AllDeliveriesAsync(client, webhook, "delivered");
        Assert.Equal(events.Count, delivered.Count);
        Assert.Equal(events.Count, delivered.Select(d => (string)d["eventId"]!).Distinct().Count());
        var retried = delivered.Where(d => (int)d["attempts"]! > 1).ToList();
        Assert.NotEmpty(retried);
        var detail = await (await client.GetAsync($"/v1/webhooks/{webhook}/deliveries/{retried[0]["eventId"]}")).ReadJsonAsync(HttpStatusCode.OK);
        var attempts = detail["attempts"]!.AsArray();
        Assert.Equal(500, (int)attempts[0]!["statusCode"]!);
        Assert.Equal(200, (int)attempts[^1]!["statusCode"]!);
    }

    [Fact]
    public async Task Every_delivery_verifies_with_the_documented_scheme_and_a_tampered_or_stale_one_does_not()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, client) = await Cluster.CreateTenantClientAsync();
        var created = await (await client.PostAsJsonAsync("/v1/webhooks", new { url = receiver.Url })).ReadJsonAsync(HttpStatusCode.Created);
        var secret = (string)created["secret"]!;
        var webhook = (string)created["webhook"]!["id"]!;

        await client.CreateSessionAsync();
        await Api.EventuallyAsync(() => Task.FromResult(receiver.Accepted.Count), n => n >= 2, Patience, "the first deliveries");
        var now = DateTimeOffset.UtcNow;
        Assert.All(receiver.Received, r => Assert.True(SignatureVerifier.Verify(secret, r.Timestamp, r.Signature, r.Body, now), $"rejected: {r.Body}"));

        var sample = receiver.Received[0];
        Assert.False(SignatureVerifier.Verify(secret, sample.Timestamp, sample.Signature, sample.Body.Replace("\"seq\":", "\"seq\": "), now));
        Assert.False(SignatureVerifier.Verify(secret, sample.Timestamp, sample.Signature, sample.Body, now + TimeSpan.FromMinutes(10)));
        Assert.False(SignatureVerifier.Verify("whsec_wrong", sample.Timestamp, sample.Signature, sample.Body, now));

        // During a rotation's overlap both secrets verify; once the overlap is over only the new one does.
        var rotated = await (await client.PostAsJsonAsync($"/v1/webhooks/{webhook}/rotate-secret", new { overlapSeconds = 3600 })).ReadJsonAsync(HttpStatusCode.OK);
        var newSecret = (string)rotated["secret"]!;
        Assert.NotEqual(secret, newSecret);
        var ping = await (await client.PostAsync($"/v1/webhooks/{webhook}/ping", null)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.True((bool)ping["delivered"]!);
        var pinged = receiver.Received[^1];
        Assert.Equal("webhook.ping", pinged.EventType);
        Assert.True(SignatureVerifier.Verify(secret, pinged.Timestamp, pinged.Signature, pinged.Body, DateTimeOffset.UtcNow));
        Assert.True(SignatureVerifier.Verify(newSecret, pinged.Timestamp, pinged.Signature, pinged.Body, DateTimeOffset.UtcNow));

        var final = (string)(await (await client.PostAsJsonAsync($"/v1/webhooks/{webhook}/rotate-secret", new { overlapSeconds = 0 })).ReadJsonAsync(HttpStatusCode.OK))["secret"]!;
        await (await client.PostAsync($"/v1/webhooks/{webhook}/ping", null)).ReadJsonAsync(HttpStatusCode.OK);
        pinged = receiver.Received[^1];
        Assert.True(SignatureVerifier.Verify(final, pinged.Timestamp, pinged.Signature, pinged.Body, DateTimeOffset.UtcNow));
        Assert.False(SignatureVerifier.Verify(newSecret, pinged.Timestamp, pinged.Signature, pinged.Body, DateTimeOffset.UtcNow));
    }

    [Fact]
    public async Task A_receiver_answering_410_disables_the_subscription_and_re_enabling_resumes_its_deliveries()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = _ => 410;
        var (_, client) = await Cluster.CreateTenantClientAsync();
        var webhook = await CreateWebhookAsync(client, receiver.Url);
        await client.CreateSessionAsync();

        var disabled = await Api.EventuallyAsync(async () => await (await client.GetAsync($"/v1/webhooks/{webhook}")).ReadJsonAsync(HttpStatusCode.OK),
            w => (bool?)w["active"] == false, Patience, "the subscription to be disabled");
        Assert.Contains("410", (string?)disabled["disabledReason"]);
        var gone = receiver.Received.Count;
        Assert.Equal(1, gone);

        // What it held when it was disabled: the refused delivery and those behind it. (Events written while it is
        // disabled are not queued for it; a replay sends them.)
        var held = (await AllDeliveriesAsync(client, webhook, "pending")).Select(d => (string)d["eventId"]!).ToHashSet();
        Assert.Contains(receiver.Received[0].EventId, held);
        receiver.Respond = _ => 200;
        (await client.PatchAsJsonAsync($"/v1/webhooks/{webhook}", new { active = true })).EnsureSuccessStatusCode();
        await Api.EventuallyAsync(() => Task.FromResult(receiver.Accepted.Select(r => r.EventId).ToHashSet()), ids => ids.IsSupersetOf(held),
            Patience, "the held events after re-enabling");
    }

    [Fact]
    public async Task A_rejecting_receiver_dead_letters_after_the_client_error_limit_and_a_replay_delivers_again()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = _ => 400;
        var (_, client) = await Cluster.CreateTenantClientAsync();
        var created = await (await client.PostAsJsonAsync("/v1/webhooks", new { url = receiver.Url, eventTypes = new[] { "session.status" } })).ReadJsonAsync(HttpStatusCode.Created);
        var webhook = (string)created["webhook"]!["id"]!;
        await client.CreateSessionAsync();

        var dead = await Api.EventuallyAsync(() => AllDeliveriesAsync(client, webhook, "dead"), d => d.Count >= 2, Patience, "dead-lettered deliveries");
        var eventId = (string)dead[^1]["eventId"]!;
        var detail = await (await client.GetAsync($"/v1/webhooks/{webhook}/deliveries/{eventId}")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(3, detail["attempts"]!.AsArray().Count);
        Assert.All(detail["attempts"]!.AsArray(), a => Assert.Equal(400, (int)a!["statusCode"]!));
        Assert.All(receiver.Received, r => Assert.Equal("session.status", r.EventType));

        receiver.Respond = _ => 200;
        var replay = await (await client.PostAsJsonAsync($"/v1/webhooks/{webhook}/replay", new { eventId })).ReadJsonAsync(HttpStatusCode.Accepted);
        Assert.Equal(1, (int)replay["queued"]!);
        await Api.EventuallyAsync(() => Task.FromResult(receiver.Accepted.Count), n => n == 1, Patience, "the replayed event");
        Assert.Equal(eventId, receiver.Accepted.Single().EventId);
        var after = await (await client.GetAsync($"/v1/webhooks/{webhook}/deliveries/{eventId}")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("delivered", (string?)after["delivery"]!["state"]);
        Assert.Equal(4, after["attempts"]!.AsArray().Count);
    }

    [Fact]
    public async Task Subscriptions_are_managed_per_tenant_and_bad_input_names_the_field()
    {
        var (_, client) = await Cluster.CreateTenantClientAsync();
        var (_, other) = await Cluster.CreateTenantClientAsync();
        var session = (string)(await client.CreateSessionAsync())["id"]!;
        var othersSession = (string)(await other.CreateSessionAsync())["id"]!;
        var created = await (await client.PostAsJsonAsync("/v1/webhooks", new
        {
            url = "http://127.0.0.1:9/hook", description = "orders", eventTypes = new[] { "message.received" }, sessionIds = new[] { session },
        })).ReadJsonAsync(HttpStatusCode.Created);
        var id = (string)created["webhook"]!["id"]!;
        Assert.StartsWith("whsec_", (string?)created["secret"]);

        var listed = await (await client.GetAsync("/v1/webhooks")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(id, (string?)listed["items"]![0]!["id"]);
        Assert.Null(listed["items"]![0]!["secret"]);
        await (await other.GetAsync($"/v1/webhooks/{id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await other.DeleteAsync($"/v1/webhooks/{id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not-found");
        Assert.Empty((await (await other.GetAsync("/v1/webhooks")).ReadJsonAsync(HttpStatusCode.OK))["items"]!.AsArray());

        var updated = await (await client.PatchAsJsonAsync($"/v1/webhooks/{id}", new { eventTypes = Array.Empty<string>(), description = "all" })).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Null(updated["eventTypes"]);
        Assert.Equal(session, (string?)updated["sessionIds"]![0]);

        await (await client.PostAsJsonAsync("/v1/webhooks", new { })).AssertProblemNamingAsync("url");
        await (await client.PostAsJsonAsync("/v1/webhooks", new { url = "ftp://example.com/x" })).AssertProblemNamingAsync("url");
        await (await client.PostAsJsonAsync("/v1/webhooks", new { url = "https://user:pw@example.com/x" })).AssertProblemNamingAsync("url");
        await (await client.PostAsJsonAsync("/v1/webhooks", new { url = "https://example.com/x", eventTypes = new[] { "message.teleported" } })).AssertProblemNamingAsync("eventTypes[0]");
        await (await client.PostAsJsonAsync("/v1/webhooks", new { url = "https://example.com/x", sessionIds = new[] { "../x" } })).AssertProblemNamingAsync("sessionIds[0]");
        // Another tenant's session is unknown here, like one that never existed.
        await (await client.PostAsJsonAsync("/v1/webhooks", new { url = "https://example.com/x", sessionIds = new[] { session, othersSession } })).AssertProblemNamingAsync("sessionIds[1]");
        await (await client.PostAsJsonAsync("/v1/webhooks", new { url = "https://example.com/x", sessionIds = new[] { "ses_neverexisted" } })).AssertProblemNamingAsync("sessionIds[0]");
        await (await client.PatchAsJsonAsync($"/v1/webhooks/{id}", new { sessionIds = new[] { othersSession } })).AssertProblemNamingAsync("sessionIds[0]");
        await (await client.PostAsJsonAsync($"/v1/webhooks/{id}/rotate-secret", new { overlapSeconds = -1 })).AssertProblemNamingAsync("overlapSeconds");
        await (await client.PostAsJsonAsync($"/v1/webhooks/{id}/replay", new { })).AssertProblemNamingAsync("fromSeq");
        await (await client.PostAsJsonAsync($"/v1/webhooks/{id}/replay", new { fromSeq = 5, toSeq = 2 })).AssertProblemNamingAsync("toSeq");
        await (await client.PostAsJsonAsync($"/v1/webhooks/{id}/replay", new { eventId = "evt_missing" })).AssertProblemNamingAsync("eventId");
        await (await client.GetAsync($"/v1/webhooks/{id}/deliveries?state=lost")).AssertProblemNamingAsync("state");

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v1/webhooks/{id}")).StatusCode);
        await (await client.GetAsync($"/v1/webhooks/{id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    internal static async Task<string> CreateWebhookAsync(HttpClient client, string url)
    {
        var created = await (await client.PostAsJsonAsync("/v1/webhooks", new { url })).ReadJsonAsync(HttpStatusCode.Created);
        return (string)created["webhook"]!["id"]!;
    }

    /// <summary>Two paired sessions of the client's tenant; returns their ids and the second one's number.</summary>
    internal static async Task<(string First, string Second, string SecondPhone)> PairTwoAsync(HttpClient client)
    {
        var first = await client.CreatePairedSessionAsync(EventsClusterFixture.NewPhone());
        var secondPhone = EventsClusterFixture.NewPhone();
        var second = await client.CreatePairedSessionAsync(secondPhone);
        return (first, second, secondPhone);
    }

    internal static async Task<List<JsonNode>> AllEventsAsync(HttpClient client)
    {
        var all = new List<JsonNode>();
        long after = 0;
        while (true)
        {
            var page = await (await client.GetAsync($"/v1/events?after={after}&limit=1000")).ReadJsonAsync(HttpStatusCode.OK);
            var items = page["items"]!.AsArray().Select(i => i!).ToList();
            if (items.Count == 0) return all;
            all.AddRange(items);
            after = (long)page["next"]!;
        }
    }

    internal static async Task<List<JsonNode>> AllDeliveriesAsync(HttpClient client, string webhook, string state)
    {
        var page = await (await client.GetAsync($"/v1/webhooks/{webhook}/deliveries?state={state}&limit=200")).ReadJsonAsync(HttpStatusCode.OK);
        return page["items"]!.AsArray().Select(i => i!).ToList();
    }
}
