using OrleansSaas.Testing;

namespace OrleansSaas.Tests.InProcess;

/// <summary>Rebalancing after a join, a rule of the silos alone (until issue 15 in Cluster/MovementTests, on silo processes and a gateway).</summary>
public sealed class AutoRebalanceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Sessions_rebalance_by_themselves_after_a_silo_joins()
    {
        await using var cluster = await InProcessCluster.StartAsync(silos: 1, new Dictionary<string, string> { ["Cluster:SettleDelay"] = "00:00:02" });
        var tenant = await cluster.CreateTenantAsync();
        for (var i = 0; i < 6; i++) await cluster.CreatePairedSessionAsync(tenant.Id, $"+120155506{i:D2}");
        await cluster.StartSiloAsync();

        var counts = await Eventually.Async(cluster.ConnectedPerSiloAsync,
            c => c.Count == 2 && c.Values.Sum() == 6 && c.Values.Max() - c.Values.Min() <= 1, Patience, "sessions spread over both silos");
        Assert.Equal(new long[] { 3, 3 }, counts.Values);
        // The summary is written once every move is done and recorded.
        await Eventually.Async(() => cluster.QueryScalarAsync<long>(
            "SELECT count(*) FROM audit_log WHERE actor = 'system' AND action = 'cluster.rebalance' AND details->>'cause' = 'join'"), n => n == 1, Patience, "the rebalance in the audit log");
        Assert.Equal(3, await cluster.QueryScalarAsync<long>(
            "SELECT count(*) FROM audit_log WHERE actor = 'system' AND action = 'session.move' AND details->>'cause' = 'rebalance' AND outcome = 200"));
    }
}
