using OrleansSaas.Contracts.Messaging;
using OrleansSaas.Testing;

namespace OrleansSaas.Tests.InProcess;

/// <summary>The example of README "Developing", word for word: if it stops compiling or passing, the README is wrong.</summary>
public sealed class DevelopingExampleTests
{
    [Fact]
    public async Task A_paired_session_gets_its_receipt_and_survives_its_silo()
    {
        await using var cluster = await InProcessCluster.StartAsync(silos: 2);
        var tenant = await cluster.CreateTenantAsync();
        var alice = await cluster.CreatePairedSessionAsync(tenant.Id, "+12015550801");
        await cluster.CreatePairedSessionAsync(tenant.Id, "+12015550802");

        var message = await cluster.SendAndWaitAsync(alice, "+12015550802", "hello", MessageStatus.Delivered);
        Assert.Contains(message.Status, new[] { MessageStatus.Delivered, MessageStatus.Read });

        var host = await cluster.HostOfAsync(alice);
        await cluster.KillSiloAsync(host);
        var back = await cluster.WaitForSessionsBackAsync([alice], lostSilo: host.SiloAddress.ToParsableString());
        Assert.NotEqual(host.SiloAddress.ToParsableString(), back[alice]);
    }
}
