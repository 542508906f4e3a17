using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OrleansSaas.Tests.Infrastructure;
using Xunit.Abstractions;
using static OrleansSaas.Tests.Cluster.ClusterTestApi;

namespace OrleansSaas.Tests.Cluster;

/// <summary>Sessions moving between silos with their state: one by one, by draining, by rebalancing and on a graceful stop. Each test owns its cluster. Rebalancing by itself after a join runs in-process (InProcess/AutoRebalanceTests).</summary>
public sealed class MovementTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_moved_session_keeps_its_state_and_its_queued_messages_arrive_exactly_once()
    {
        await using var cluster = await TestCluster.StartAsync(silos: 2, Settings());
        try
        {
            using var client = cluster.CreateClient();
            using var admin = cluster.CreateAdminClient();
            var silos = await admin.ReportedSilosAsync(2);
            var alice = await client.CreatePairedSessionAsync("+12015550401");
            var bob = await client.CreatePairedSessionAsync("+12015550402");
            await (await client.PatchAsJsonAsync($"/v1/sessions/{alice}/settings", new { messagesPerSecond = 0.5 })).ReadJsonAsync(HttpStatusCode.OK);
            var before = await client.GetSessionAsync(alice);
            var from = before.Silo();
            var to = silos.Single(s => s != from);

            // At one message every two seconds the queue is still full when the session moves.
            const int count = 6;
            for (var i = 0; i < count; i++) await client.SendTextAsync(alice, "+12015550402", $"moving {i}");
            Assert.True(await cluster.QueryScalarAsync<long>("SELECT count(*) FROM messages WHERE session_id = @id AND status = 'queued'", ("id", alice)) > 0);

            const string backstop = "SELECT version FROM orleans_reminder WHERE grain_id LIKE '%' || @id AND reminder_name = 'keep-connected'";
            var backstopVersion = await cluster.QueryScalarAsync<int?>(backstop, ("id", alice));
            Assert.NotNull(backstopVersion);

            var moved = await (await admin.PostAsJsonAsync($"/v1/admin/sessions/demo/{alice}/move", new { silo = to })).ReadJsonAsync(HttpStatusCode.OK);
            Assert.Equal(to, (string?)moved["silo"]);
            Assert.Equal(from, (string?)moved["previousSilo"]);
            // The backstop reminder outlives the activation: the move finds it registered and leaves it be.
            Assert.Equal(backstopVersion, await cluster.QueryScalarAsync<int?>(backstop, ("id", alice)));

            // No client call reconnects it: it is connected on the target already, with its number, settings and history.
            var after = await client.GetSessionAsync(alice);
            Assert.Equal("connected", (string?)after["status"]);
            Assert.Equal(to, after.Silo());
            Assert.Equal(from, (string?)after["placement"]!["previousSilo"]);
            Assert.Equal(1, (int?)after["placement"]!["moveCount"]);
            Assert.Equal("+12015550401", (string?)after["phoneNumber"]);
            Assert.Equal(0.5, (double?)after["settings"]!["messagesPerSecond"]);
            var history = after["history"]!.AsArray();
            Assert.Equal(before["history"]!.AsArray().Select(h => h!.ToJsonString()), history.Take(history.Count - 1).Select(h => h!.ToJsonString()));
            Assert.Equal("connected", (string?)after.LastChange()["status"]);
            Assert.Equal("moved", (string?)after.LastChange()["reason"]);
            Assert.Equal("admin", (string?)after.LastChange()["details"]);
            Assert.Equal(to, (string?)after.LastChange()["silo"]);
            Assert.Equal(to, await cluster.QueryScalarAsync<string>("SELECT host_silo FROM sessions WHERE session_id = @id", ("id", alice)));

            var inbound = await Api.EventuallyAsync(() => client.ListAllMessagesAsync(bob, "inbound"), m => m.Count >= count, Patience, "every message at bob");
            await Task.Delay(TimeSpan.FromSeconds(2)); // a late duplicate would show up in this window
            inbound = await client.ListAllMessagesAsync(bob, "inbound");
            Assert.Equal(Enumerable.Range(0, count).Select(i => $"moving {i}").Order(), inbound.Select(m => (string)m["text"]!).Order());
            Assert.Equal(count, await cluster.QueryScalarAsync<long>("SELECT count(*) FROM sim_network_messages WHERE to_number = '+12015550402'"));
        }
        catch (Exception) when (Dump(cluster))
        {
            throw;
        }
    }

    [Fact]
    public async Task Draining_a_silo_moves_every_session_off_it_and_placement_avoids_it_until_undrained()
    {
        await using var cluster = await TestCluster.StartAsync(silos: 2, Settings());
        try
        {
            using var client = cluster.CreateClient();
            using var admin = cluster.CreateAdminClient();
            var silos = await admin.ReportedSilosAsync(2);
            var sessions = await client.CreatePairedSessionsAsync(6, "+120155504");
            var drained = (await client.GetSessionAsync(sessions[0])).Silo();
            var other = silos.Single(s => s != drained);
            var onDrained = (await cluster.ConnectedPerSiloAsync())[drained];

            var report = await (await admin.PostAsync($"/v1/admin/silos/{Uri.EscapeDataString(drained)}/drain", null)).ReadJsonAsync(HttpStatusCode.OK);
            Assert.Equal(drained, (string?)report["silo"]);
            Assert.Equal("draining", (string?)report["status"]);
            Assert.Equal(onDrained, (long)report["moved"]!);
            Assert.Equal(0, (int?)report["remaining"]);

            Assert.Equal(new Dictionary<string, long> { [other] = 6 }, await cluster.ConnectedPerSiloAsync());
            foreach (var id in sessions)
            {
                var session = await client.GetSessionAsync(id);
                Assert.Equal("connected", (string?)session["status"]);
                Assert.Equal(other, session.Silo());
            }
            var listed = await Api.EventuallyAsync(admin.SilosAsync,
                list => list.Any(s => (string?)s!["address"] == drained && (int?)s["sessions"] == 0), Patience, "the drained silo reporting no sessions");
            Assert.Equal("draining", (string?)listed.Single(s => (string?)s!["address"] == drained)!["status"]);

            var created = await client.CreateSessionAsync("after the drain");
            Assert.Equal(other, created.Silo());

            var undrained = await (await admin.PostAsync($"/v1/admin/silos/{Uri.EscapeDataString(drained)}/undrain", null)).ReadJsonAsync(HttpStatusCode.OK);
            Assert.Equal("active", (string?)undrained["status"]);
            Assert.Equal("active", (string?)(await admin.SilosAsync()).Single(s => (string?)s!["address"] == drained)!["status"]);
            await (await admin.PostAsync("/v1/admin/silos/127.0.0.1:1@1/drain", null)).AssertProblemAsync(HttpStatusCode.NotFound, "not-found");
        }
        catch (Exception) when (Dump(cluster))
        {
            throw;
        }
    }

    [Fact]
    public async Task An_operator_rebalance_after_a_silo_joins_evens_out_the_sessions()
    {
        await using var cluster = await TestCluster.StartAsync(silos: 1, Settings());
        try
        {
            using var client = cluster.CreateClient();
            using var admin = cluster.CreateAdminClient();
            var sessions = await client.CreatePairedSessionsAsync(7, "+120155505");
            await cluster.StartSiloAsync(2, Settings());
            var silos = await admin.ReportedSilosAsync(2);

            var report = await (await admin.PostAsync("/v1/admin/rebalance", null)).ReadJsonAsync(HttpStatusCode.OK);
            Assert.Equal(3, (int?)report["moves"]);
            Assert.Equal(0, (int?)report["failed"]);
            Assert.Equal(new[] { 0, 7 }, silos.Select(s => (int)report["before"]![s]!).Order());
            Assert.Equal(new[] { 3, 4 }, silos.Select(s => (int)report["after"]![s]!).Order());

            Assert.Equal(new long[] { 3, 4 }, (await cluster.ConnectedPerSiloAsync()).Values.Order());
            foreach (var id in sessions) Assert.Equal("connected", (string?)(await client.GetSessionAsync(id))["status"]);
            var again = await (await admin.PostAsync("/v1/admin/rebalance", null)).ReadJsonAsync(HttpStatusCode.OK);
            Assert.Equal(0, (int?)again["moves"]);
        }
        catch (Exception) when (Dump(cluster))
        {
            throw;
        }
    }

    [Fact]
    public async Task A_silo_stopped_gracefully_hands_its_sessions_to_the_others_and_the_last_silo_just_stops()
    {
        await using var cluster = await TestCluster.StartAsync(silos: 2, Settings());
        var stopped = new List<ManagedProcess>();
        try
        {
            using var client = cluster.CreateClient();
            using var admin = cluster.CreateAdminClient();
            var silos = await admin.ReportedSilosAsync(2);
            var sessions = await client.CreatePairedSessionsAsync(4, "+120155507");
            var stopping = (await client.GetSessionAsync(sessions[0])).Silo();
            var survivor = silos.Single(s => s != stopping);
            var before = new Dictionary<string, JsonNode>();
            foreach (var id in sessions) before[id] = await client.GetSessionAsync(id);
            var leaving = sessions.Where(id => before[id].Silo() == stopping).ToList();
            Assert.InRange(leaving.Count, 1, 3);

            stopped.Add(cluster.Silos[cluster.SiloIndexOf(stopping)!.Value]);
            await cluster.StopSiloGracefullyAsync(cluster.SiloIndexOf(stopping)!.Value, TimeSpan.FromSeconds(60));

            await Api.EventuallyAsync(cluster.ConnectedPerSiloAsync, c => c.Count == 1 && c.GetValueOrDefault(survivor) == 4, Patience, "every session connected on the survivor");
            foreach (var id in sessions)
            {
                var session = await client.GetSessionAsync(id);
                Assert.Equal(survivor, session.Silo());
                var history = session["history"]!.AsArray();
                if (leaving.Contains(id))
                {
                    // Moved before the silo went away, not revived by failover afterwards (which records no reason).
                    Assert.Equal("moved", (string?)session.LastChange()["reason"]);
                    Assert.Equal("shutdown", (string?)session.LastChange()["details"]);
                }
                else
                {
                    // Sessions already on the survivor were never deactivated (a reactivation would add a status change).
                    Assert.Equal(before[id]["history"]!.AsArray().Count, history.Count);
                }
            }
            Assert.Equal(leaving.Count, await cluster.QueryScalarAsync<long>(
                "SELECT count(*) FROM audit_log WHERE actor = 'system' AND action = 'session.move' AND details->>'cause' = 'shutdown' AND outcome = 200"));

            stopped.Add(cluster.Silos.Values.Single());
            await cluster.StopSiloGracefullyAsync(cluster.SiloIndexOf(survivor)!.Value, TimeSpan.FromSeconds(60));
            Assert.True(stopped[^1].OutputContains("Last silo of the cluster stopping"), stopped[^1].Output());
        }
        catch (Exception) when (Dump(cluster, stopped))
        {
            throw;
        }
    }

    // Process logs go to the test output only when a test fails (the filter never catches).
    private bool Dump(TestCluster cluster, IEnumerable<ManagedProcess>? stopped = null)
    {
        output.WriteLine(cluster.Diagnostics());
        foreach (var process in stopped ?? []) output.WriteLine($"===== {process.Name} (stopped) =====\n{process.Output()}");
        return false;
    }
}
