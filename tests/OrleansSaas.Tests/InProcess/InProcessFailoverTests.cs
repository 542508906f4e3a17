using Orleans;
using Orleans.Runtime;
using Orleans.TestingHost;
using OrleansSaas.Contracts.Cluster;
using OrleansSaas.Contracts.Messaging;
using OrleansSaas.Contracts.Sessions;
using OrleansSaas.Testing;

namespace OrleansSaas.Tests.InProcess;

/// <summary>
/// Three silos in this process: placement, and failover when one of them dies. The process-based
/// <see cref="FailoverTests"/> does the same with kill -9 of a real silo process.
/// </summary>
public sealed class InProcessFailoverTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_session_runs_where_placement_put_it_and_comes_back_on_another_silo_when_that_one_dies_losing_nothing_accepted()
    {
        await using var cluster = await InProcessCluster.StartAsync(silos: 3, new Dictionary<string, string> { ["Sessions:MessagesPerSecond"] = "10" });
        var tenant = await cluster.CreateTenantAsync();
        var alice = await CreateCountedSessionAsync(cluster, tenant.Id, "+12015558301", 1);
        var bob = await CreateCountedSessionAsync(cluster, tenant.Id, "+12015558302", 2);
        var carol = await CreateCountedSessionAsync(cluster, tenant.Id, "+12015558303", 3);

        // Least-loaded placement spreads three sessions over three silos, and each activation runs on the silo it reports.
        var placed = new Dictionary<string, string>();
        foreach (var key in new[] { alice, bob, carol })
        {
            var view = (await cluster.Session(key).Get())!;
            Assert.True(cluster.Cluster.TryGetGrainContext(cluster.Session(key).GetGrainId(), out var activation), $"no activation of {key}");
            Assert.Equal(view.Placement.Silo, activation!.Address.SiloAddress!.ToParsableString());
            placed[key] = view.Placement.Silo;
        }
        Assert.Equal(3, placed.Values.Distinct().Count());
        var victim = cluster.SiloAt(placed[alice])!;

        // At 10 messages/s the queue is still draining when the silo dies.
        const int count = 40;
        for (var i = 0; i < count; i++) await cluster.SendTextAsync(alice, "+12015558302", $"failover {i}");
        await cluster.KillSiloAsync(victim);

        // No call touches alice: the registry shows her reconnected on a survivor by herself.
        var newHost = (await cluster.WaitForSessionsBackAsync([alice], placed[alice], Patience))[alice];
        var hosts = await cluster.Grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: false);
        Assert.Equal(SiloStatus.Dead, hosts[victim.SiloAddress]);

        var session = (await cluster.Session(alice).Get())!;
        Assert.Equal(SessionStatus.Connected, session.Status);
        Assert.Equal(newHost, session.Placement.Silo);
        Assert.Equal(placed[alice], session.Placement.PreviousSilo);
        Assert.True(session.Placement.MoveCount >= 1);
        var reconnect = session.History[^1];
        Assert.Equal(SessionStatus.Connected, reconnect.Status);
        Assert.Equal(newHost, reconnect.Silo);
        Assert.NotEqual("moved", reconnect.Reason); // revived by failover, not drained away by a graceful stop

        // A session on a surviving silo never noticed.
        var untouched = (await cluster.Session(carol).Get())!;
        Assert.Equal(placed[carol], untouched.Placement.Silo);
        Assert.Equal(0, untouched.Placement.MoveCount);

        var inbound = await Eventually.Async(() => cluster.ListMessagesAsync(bob, MessageDirection.Inbound), m => m.Count >= count, Patience, "every message at bob");
        await Task.Delay(TimeSpan.FromSeconds(2)); // a late duplicate would show up in this window
        inbound = await cluster.ListMessagesAsync(bob, MessageDirection.Inbound);
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"failover {i}").Order(), inbound.Select(m => m.Content.Text).Order());
        await using (var db = Npgsql.NpgsqlDataSource.Create(cluster.ConnectionString))
            Assert.Equal(count, (long)(await db.CreateCommand("SELECT count(*) FROM sim_network_messages WHERE to_number = '+12015558302'").ExecuteScalarAsync())!);

        var outbound = await Eventually.Async(() => cluster.ListMessagesAsync(alice, MessageDirection.Outbound),
            m => m.All(x => x.Status is MessageStatus.Delivered or MessageStatus.Read), Patience, "delivery receipts for alice");
        Assert.Equal(count, outbound.Count);
    }

    /// <summary>
    /// Placement counts a session when it places it, and each silo's report (every 2 s) sets the real count; one report
    /// can overtake a placement and hide it until the next. Waiting for the reports to show every session makes the
    /// next placement see the true loads.
    /// </summary>
    private static async Task<string> CreateCountedSessionAsync(InProcessCluster cluster, string tenantId, string phoneNumber, int sessionsInCluster)
    {
        var key = await cluster.CreatePairedSessionAsync(tenantId, phoneNumber);
        await Eventually.Async(() => cluster.Grains.GetGrain<ISessionPlacementGrain>(0).GetLoads(), loads => loads.Sum(l => l.Sessions) == sessionsInCluster,
            Patience, $"the silos to report {sessionsInCluster} session(s)");
        return key;
    }
}
