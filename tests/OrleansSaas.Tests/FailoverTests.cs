using OrleansSaas.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansSaas.Tests;

/// <summary>Each test owns its cluster (its own database and processes), because it kills or stops silos.</summary>
public sealed class FailoverTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Killing_the_silo_of_a_connected_session_brings_it_back_elsewhere_and_delivers_each_accepted_message_once()
    {
        await using var cluster = await TestCluster.StartAsync(silos: 3, new Dictionary<string, string> { ["Sessions__MessagesPerSecond"] = "10" });
        try
        {
            using var client = cluster.CreateClient();
            var alice = await client.CreatePairedSessionAsync("+12015550301");
            var bob = await client.CreatePairedSessionAsync("+12015550302");
            var hostBefore = (string)(await client.GetSessionAsync(alice))["placement"]!["silo"]!;
            var victim = cluster.Silos.Single(s => s.Value.OutputContains($"Silo is active: {hostBefore}")).Key;

            // At 10 messages/s the queue is still draining when the silo dies.
            const int count = 40;
            for (var i = 0; i < count; i++) await client.SendTextAsync(alice, "+12015550302", $"failover {i}");
            cluster.KillSilo(victim);

            // No client call touches the session: the registry shows it reconnected on a survivor by itself.
            var newHost = await Api.EventuallyAsync(
                () => cluster.QueryScalarAsync<string>("SELECT host_silo FROM sessions WHERE session_id = @id AND status = 'connected'", ("id", alice)),
                host => host is not null && host != hostBefore, Patience, "alice to reconnect on another silo");

            var session = await client.GetSessionAsync(alice);
            Assert.Equal("connected", (string?)session["status"]);
            Assert.Equal(newHost, (string?)session["placement"]!["silo"]);
            Assert.Equal(hostBefore, (string?)session["placement"]!["previousSilo"]);
            Assert.True((int)session["placement"]!["moveCount"]! >= 1);
            var reconnect = session["history"]!.AsArray().Last()!;
            Assert.Equal("connected", (string?)reconnect["status"]);
            Assert.Equal(newHost, (string?)reconnect["silo"]);

            var inbound = await Api.EventuallyAsync(() => client.ListAllMessagesAsync(bob, "inbound"), m => m.Count >= count, Patience, "every message at bob");
            await Task.Delay(TimeSpan.FromSeconds(2)); // a late duplicate would show up in this window
            inbound = await client.ListAllMessagesAsync(bob, "inbound");
            var texts = inbound.Select(m => (string)m["text"]!).ToList();
            Assert.Equal(Enumerable.Range(0, count).Select(i => $"failover {i}").Order(), texts.Order());
            Assert.Equal(count, await cluster.QueryScalarAsync<long>("SELECT count(*) FROM sim_network_messages WHERE to_number = '+12015550302'"));

            var outbound = await Api.EventuallyAsync(() => client.ListAllMessagesAsync(alice, "outbound"),
                m => m.All(x => (string?)x["status"] is "delivered" or "read"), Patience, "delivery receipts for alice");
            Assert.Equal(count, outbound.Count);
        }
        catch (Exception) when (Dump(cluster))
        {
            throw;
        }
    }

    [Fact]
    public async Task A_full_cluster_restart_reconnects_sessions_by_themselves_and_keeps_their_messages()
    {
        await using var cluster = await TestCluster.StartAsync(silos: 1);
        try
        {
            using (var client = cluster.CreateClient())
            {
                var carol = await client.CreatePairedSessionAsync("+12015550311");
                var dave = await client.CreatePairedSessionAsync("+12015550312");
                await client.SendTextAsync(carol, "+12015550312", "before the restart");
                await Api.EventuallyAsync(() => client.ListAllMessagesAsync(dave, "inbound"), m => m.Count == 1, Patience, "the message at dave");

                await cluster.StopGatewayAsync();
                await cluster.StopSiloAsync(1);
                var hostBefore = await cluster.QueryScalarAsync<string>("SELECT host_silo FROM sessions WHERE session_id = @id", ("id", carol));

                await cluster.StartSiloAsync(1);
                await Api.EventuallyAsync(
                    () => cluster.QueryScalarAsync<long>("SELECT count(*) FROM sessions WHERE session_id = ANY(@ids) AND status = 'connected' AND host_silo <> @old",
                        ("ids", new[] { carol, dave }), ("old", hostBefore!)),
                    n => n == 2, Patience, "both sessions to reconnect after the restart");

                await cluster.StartGatewayAsync();
                using var after = cluster.CreateClient();
                Assert.Equal("connected", (string?)(await after.GetSessionAsync(carol))["status"]);
                Assert.Equal("before the restart", (string?)(await after.ListAllMessagesAsync(dave, "inbound")).Single()["text"]);
                Assert.Single(await after.ListAllMessagesAsync(carol, "outbound"));

                await after.SendTextAsync(carol, "+12015550312", "after the restart");
                await Api.EventuallyAsync(() => after.ListAllMessagesAsync(dave, "inbound"), m => m.Count == 2, Patience, "the second message at dave");
            }
        }
        catch (Exception) when (Dump(cluster))
        {
            throw;
        }
    }

    // Process logs go to the test output only when a test fails (the filter never catches).
    private bool Dump(TestCluster cluster)
    {
        output.WriteLine(cluster.Diagnostics());
        return false;
    }
}
