using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.Events;

[Collection(EventsClusterCollection.Name)]
public sealed class EventPullAndStreamTests(EventsClusterFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private TestCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task A_consumer_that_crashes_before_acknowledging_reads_the_same_events_again_and_not_after_acknowledging()
    {
        var (_, client) = await Cluster.CreateTenantClientAsync();
        await client.CreateSessionAsync();
        var first = await Api.EventuallyAsync(async () => await (await client.GetAsync("/v1/events?consumer=billing")).ReadJsonAsync(HttpStatusCode.OK),
            page => page["items"]!.AsArray().Count > 0, Patience, "the session's first numbered events");
        var firstIds = first["items"]!.AsArray().Select(e => (string)e!["id"]!).ToList();
        Assert.NotEmpty(firstIds);
        Assert.Equal(0, (long)first["acked"]!);

        // The consumer "crashed": nothing was acknowledged, so it is handed the same events.
        var again = await (await client.GetAsync("/v1/events?consumer=billing")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(firstIds, again["items"]!.AsArray().Select(e => (string)e!["id"]!).Take(firstIds.Count));

        var next = (long)first["next"]!;
        var ack = await (await client.PostAsJsonAsync("/v1/events/ack", new { consumer = "billing", seq = next })).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(next, (long)ack["acked"]!);
        var afterAck = await (await client.GetAsync("/v1/events?consumer=billing")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(afterAck["items"]!.AsArray(), e => firstIds.Contains((string)e!["id"]!));
        Assert.All(afterAck["items"]!.AsArray(), e => Assert.True((long)e!["seq"]! > next));

        // Positions only move forward; another consumer has its own.
        var back = await (await client.PostAsJsonAsync("/v1/events/ack", new { consumer = "billing", seq = 1 })).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(next, (long)back["acked"]!);
        var other = await (await client.GetAsync("/v1/events?consumer=audit")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(firstIds[0], (string?)other["items"]![0]!["id"]);

        // Well-formed, but there is no such event: refused by state (422), not an invalid field.
        await (await client.PostAsJsonAsync("/v1/events/ack", new { seq = next + 1_000_000 })).AssertProblemNamingAsync("seq", HttpStatusCode.UnprocessableEntity);
        await (await client.PostAsJsonAsync("/v1/events/ack", new { })).AssertProblemNamingAsync("seq");
        await (await client.GetAsync("/v1/events?after=-1")).AssertProblemNamingAsync("after");
        await (await client.GetAsync("/v1/events?limit=0")).AssertProblemNamingAsync("limit");
        await (await client.GetAsync("/v1/events?type=message.nope")).AssertProblemNamingAsync("type");
        await (await client.GetAsync("/v1/events?consumer=a%20b")).AssertProblemNamingAsync("consumer");
    }

    [Fact]
    public async Task Each_tenant_reads_only_its_own_events_numbered_from_one_without_gaps()
    {
        var (_, mine) = await Cluster.CreateTenantClientAsync();
        var (_, theirs) = await Cluster.CreateTenantClientAsync();
        await mine.CreateSessionAsync();
        await theirs.CreateSessionAsync();
        // Numbering follows each commit shortly: wait for each new session's first three events (two statuses and a QR code).
        var myEvents = await Api.EventuallyAsync(() => WebhookDeliveryTests.AllEventsAsync(mine), all => all.Count >= 3, Patience, "my first events");
        var theirEvents = await Api.EventuallyAsync(() => WebhookDeliveryTests.AllEventsAsync(theirs), all => all.Count >= 3, Patience, "their first events");
        Assert.Equal(Enumerable.Range(1, myEvents.Count).Select(i => (long)i), myEvents.Select(e => (long)e["seq"]!));
        Assert.Empty(myEvents.Select(e => (string)e["id"]!).Intersect(theirEvents.Select(e => (string)e["id"]!)));
        Assert.Equal(["session.status", "session.status", "session.qr"], myEvents.Take(3).Select(e => (string)e["type"]!));
        Assert.Equal("created", (string?)myEvents[0]["data"]!["status"]);
    }

    [Fact]
    public async Task The_same_inbound_message_delivered_twice_by_the_engine_is_one_message_and_one_event()
    {
        var (_, client) = await Cluster.CreateTenantClientAsync();
        var session = await client.CreatePairedSessionAsync(EventsClusterFixture.NewPhone());
        var inbound = new { from = EventsClusterFixture.NewPhone(), text = "only once", networkMessageId = $"net-{Guid.NewGuid():N}" };
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsJsonAsync($"/v1/sessions/{session}/dev/inbound", inbound)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsJsonAsync($"/v1/sessions/{session}/dev/inbound", inbound)).StatusCode);
        // Events are numbered in write order shortly after their commit: once a later message's event can be read,
        // any event the repeat had written could be too.
        var marker = new { from = inbound.from, text = "marker", networkMessageId = $"net-{Guid.NewGuid():N}" };
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsJsonAsync($"/v1/sessions/{session}/dev/inbound", marker)).StatusCode);

        static IEnumerable<JsonNode> Received(List<JsonNode> events) => events.Where(e => (string?)e["type"] == "message.received");
        var events = await Api.EventuallyAsync(() => WebhookDeliveryTests.AllEventsAsync(client),
            all => Received(all).Any(e => (string?)e["data"]!["text"] == "marker"), Patience, "the marker message's event");
        Assert.Equal(["only once", "marker"], Received(events).Select(e => (string?)e["data"]!["text"]));
        Assert.Equal(2, (await client.ListAllMessagesAsync(session, "inbound")).Count);   // "only once" and the marker
    }

    [Fact]
    public async Task A_stream_client_that_reconnects_with_Last_Event_ID_misses_nothing()
    {
        var (_, client) = await Cluster.CreateTenantClientAsync();
        client.Timeout = Timeout.InfiniteTimeSpan;
        await client.CreateSessionAsync();
        var seen = new List<long>();

        // First connection: read a few events, then drop it.
        using (var stream = await EventStream.OpenAsync(client, "/v1/events/stream?after=0", lastEventId: null))
        {
            while (seen.Count < 3) seen.Add((await stream.NextAsync(Patience)).Seq);
        }
        // Events happen while the client is away.
        await client.CreateSessionAsync();
        await client.CreateSessionAsync();
        var all = await WebhookDeliveryTests.AllEventsAsync(client);

        using (var stream = await EventStream.OpenAsync(client, "/v1/events/stream", lastEventId: seen[^1]))
        {
            while (seen[^1] < (long)all[^1]["seq"]!)
            {
                var message = await stream.NextAsync(Patience);
                Assert.Equal(message.Seq, (long)message.Data["seq"]!);
                seen.Add(message.Seq);
            }
        }
        Assert.Equal(all.Select(e => (long)e["seq"]!).Take(seen.Count), seen);
        await (await client.GetAsync("/v1/events/stream?type=nope")).AssertProblemNamingAsync("type");
    }
}
