using System.Net;
using System.Net.Http.Json;
using OrleansSaas.Tests.Cluster;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.Web;

/// <summary>The sidecar dying, and the silo holding a web session dying: each with its own cluster of real processes.</summary>
public sealed class WebEngineResilienceTests
{
    [Fact]
    public async Task When_the_sidecar_crashes_the_session_is_engine_unavailable_then_connected_again_on_the_restarted_sidecar()
    {
        using var sidecar = new FakeSidecar();
        await using var cluster = await TestCluster.StartAsync(silos: 1, settings: sidecar.SiloSettings());
        using var client = cluster.CreateClient();
        var (id, key) = await client.CreateConnectedAsync(sidecar, "4915112349001");
        var firstPid = (long)sidecar.Entries("start", id).Single()["pid"]!;

        sidecar.Command(new { op = "crash", sessionKey = key });
        // The sidecar is restarted within moments, so the disconnection can be over between two polls: it is looked for in the history.
        await Api.EventuallyAsync(() => client.GetSessionAsync(id),
            s => s["history"]!.AsArray().Any(h => (string?)h!["status"] == "disconnected" && (string?)h["reason"] == "engine_unavailable"),
            TimeSpan.FromSeconds(40), "the session's disconnection for engine_unavailable");
        var back = await client.WaitForStatusAsync(id, "connected");
        Assert.Equal("+4915112349001", (string?)back["phoneNumber"]);
        // The restarted sidecar resumed the session from the keys in PostgreSQL.
        var restart = sidecar.Entries("start", id).Last();
        Assert.NotEqual(firstPid, (long)restart["pid"]!);
        Assert.True((bool)restart["registered"]!);
        Assert.Equal("{\"k\":\"session-one\"}", (string?)restart["keys"]!["session"]!["peer.0"]);
    }

    [Fact]
    public async Task Killing_the_silo_of_a_web_session_reopens_it_on_another_silo_with_the_same_keys_after_the_old_socket_closed()
    {
        using var sidecar = new FakeSidecar();
        await using var cluster = await TestCluster.StartAsync(silos: 2, settings: sidecar.SiloSettings());
        using var client = cluster.CreateClient();
        var (id, _) = await client.CreateConnectedAsync(sidecar, "4915112349002");
        var session = await client.GetSessionAsync(id);
        var host = cluster.SiloIndexOf((string)session["placement"]!["silo"]!) ?? throw new InvalidOperationException("No silo hosts the session.");
        var oldPid = (long)sidecar.Entries("start", id).Single()["pid"]!;

        cluster.KillSiloAlone(host);
        // While the cluster notices the death, calls may answer 503: keep asking.
        var moved = await Api.EventuallyAsync(async () =>
            {
                using var response = await client.GetAsync($"/v1/sessions/{id}");
                return response.StatusCode == HttpStatusCode.OK ? await response.ReadJsonAsync(HttpStatusCode.OK) : null;
            },
            s => s is not null && (string?)s["status"] == "connected" && (string?)s["placement"]!["silo"] != (string?)session["placement"]!["silo"],
            TimeSpan.FromSeconds(60), "the session on the surviving silo");
        Assert.Equal("+4915112349002", (string?)moved!["phoneNumber"]);

        var journal = sidecar.Journal();
        var oldExit = journal.FindIndex(e => (long)e["pid"]! == oldPid && (string?)e["op"] == "exit");
        var newStart = journal.FindIndex(e => (long)e["pid"]! != oldPid && (string?)e["op"] == "start" && ((string?)e["sessionKey"])!.EndsWith("/" + id));
        Assert.True(oldExit >= 0, "the killed silo's sidecar exited when its stdin closed");
        Assert.Throws<ArgumentException>(() => System.Diagnostics.Process.GetProcessById((int)oldPid));
        Assert.True(newStart > oldExit, "the new socket was opened only after the old sidecar had closed");
        Assert.True((bool)journal[newStart]["registered"]!);
        Assert.Equal("{\"k\":\"session-one\"}", (string?)journal[newStart]["keys"]!["session"]!["peer.0"]);
    }

    [Fact]
    public async Task A_live_migration_closes_the_socket_on_the_old_silo_before_the_new_silo_opens_it_with_the_same_keys()
    {
        using var sidecar = new FakeSidecar();
        await using var cluster = await TestCluster.StartAsync(silos: 2, settings: sidecar.SiloSettings());
        using var client = cluster.CreateClient();
        using var admin = cluster.CreateAdminClient();
        var silos = await admin.ReportedSilosAsync(2);
        var (id, key) = await client.CreateConnectedAsync(sidecar, "4915112349003");
        var from = (string)(await client.GetSessionAsync(id))["placement"]!["silo"]!;
        var oldPid = (long)sidecar.Entries("start", id).Single()["pid"]!;

        var moved = await (await admin.PostAsJsonAsync($"/v1/admin/sessions/demo/{id}/move", new { silo = silos.Single(s => s != from) })).ReadJsonAsync(HttpStatusCode.OK);
        Assert.NotEqual(from, (string?)moved["silo"]);
        var session = await client.WaitForStatusAsync(id, "connected");
        Assert.Equal("+4915112349003", (string?)session["phoneNumber"]);

        var journal = sidecar.Journal();
        var stop = journal.FindIndex(e => (long)e["pid"]! == oldPid && (string?)e["op"] == "stop" && (string?)e["sessionKey"] == key);
        var start = journal.FindIndex(e => (long)e["pid"]! != oldPid && (string?)e["op"] == "start" && (string?)e["sessionKey"] == key);
        Assert.True(stop >= 0, "the old silo released the session on its sidecar");
        Assert.True(start > stop, "the new silo opened the socket only after the old one was closed");
        Assert.True((bool)journal[start]["registered"]!);
        Assert.Equal("{\"k\":\"session-one\"}", (string?)journal[start]["keys"]!["session"]!["peer.0"]);
        // Both sidecars stay up: the old one holds nothing for the number any more (it would have journalled a second start).
        Assert.Single(journal, e => (long)e["pid"]! == oldPid && (string?)e["op"] == "start" && (string?)e["sessionKey"] == key);
    }
}
