using System.Net;
using OrleansSaas.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansSaas.Tests.Events;

public sealed class WebhookDurabilityTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Events_for_a_receiver_that_is_down_while_silos_are_killed_and_the_cluster_restarts_all_arrive_when_it_returns()
    {
        await using var cluster = await TestCluster.StartAsync(silos: 2, EventsClusterFixture.FastRetries, TestCluster.AllowingLoopback());
        try
        {
            var receiver = new WebhookReceiver(); // not listening yet: every attempt is refused
            var (_, client) = await cluster.CreateTenantClientAsync();
            var apiKey = client.DefaultRequestHeaders.GetValues("X-Api-Key").Single();
            var webhook = await WebhookDeliveryTests.CreateWebhookAsync(client, receiver.Url);
            var (alice, _, bobPhone) = await WebhookDeliveryTests.PairTwoAsync(client);
            for (var i = 0; i < 5; i++) await client.SendTextAsync(alice, bobPhone, $"while the receiver is down {i}");
            await Api.EventuallyAsync(() => WebhookDeliveryTests.AllDeliveriesAsync(client, webhook, "pending"),
                pending => pending.Count > 0 && pending.Any(d => (int)d["attempts"]! > 0), Patience, "failed attempts against the receiver");

            // The silo running the delivery dies hard, then the whole cluster goes down and comes back.
            cluster.KillSilo(1);
            cluster.KillSilo(2);
            await cluster.StopGatewayAsync();
            await cluster.StartSiloAsync(1, EventsClusterFixture.FastRetries);
            await cluster.StartSiloAsync(2, EventsClusterFixture.FastRetries);
            await cluster.StartGatewayAsync();

            await using (receiver)
            {
                receiver.Start();
                using var after = cluster.CreateClient(apiKey);
                var events = await Api.EventuallyAsync(() => WebhookDeliveryTests.AllEventsAsync(after),
                    all => all.Select(e => (string)e["id"]!).ToHashSet().SetEquals(receiver.Accepted.Select(r => r.EventId)),
                    Patience, "every event of the log at the receiver");
                Assert.Contains(events, e => (string?)e["type"] == "message.delivered");
                Assert.Empty(await WebhookDeliveryTests.AllDeliveriesAsync(after, webhook, "pending"));
                Assert.Empty(await WebhookDeliveryTests.AllDeliveriesAsync(after, webhook, "dead"));
            }
        }
        catch (Exception) when (Dump(cluster))
        {
            throw;
        }
    }

    private bool Dump(TestCluster cluster)
    {
        output.WriteLine(cluster.Diagnostics());
        return false;
    }
}
