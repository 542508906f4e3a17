using System.Net.Http.Json;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.Web;

/// <summary>
/// The real sidecar with the real Baileys (npm ci done by run.sh / .ci/run). WhatsApp is out of reach here (and the host is
/// forced unresolvable), so this shows the path up to the network: pairing starts, the socket fails with a network reason,
/// the sidecar's reconnects keep to the backoff, and the silo stays up.
/// </summary>
public sealed class RealSidecarTests
{
    [Fact]
    public async Task A_web_session_on_the_real_sidecar_reports_a_network_disconnect_backs_off_and_the_silo_stays_up()
    {
        await using var cluster = await TestCluster.StartAsync(silos: 1, settings: new Dictionary<string, string>
        {
            ["WebEngine__Environment__SIDECAR_WA_WEBSOCKET_URL"] = "wss://web.whatsapp.invalid/ws/chat",
            ["WebEngine__Environment__SIDECAR_LOG_LEVEL"] = "debug",
            ["WebEngine__ReconnectInitialMs"] = "2000",
        });
        using var client = cluster.CreateClient();
        var created = await client.PostAsJsonAsync("/v1/sessions", new { name = "real", engine = "web" });
        var id = (string)(await created.ReadJsonAsync(System.Net.HttpStatusCode.Created))["id"]!;
        // With no route to WhatsApp Baileys closes with 408 (timed_out); the sidecar reconnects after 2 s, 4 s, 8 s (+ jitter).
        var session = await Api.EventuallyAsync(() => client.GetSessionAsync(id),
            s => s["history"]!.AsArray().Count(h => (string?)h!["reason"] == "timed_out") >= 3, TimeSpan.FromSeconds(40), "three network disconnects");
        var times = session["history"]!.AsArray().Where(h => (string?)h!["reason"] == "timed_out").Select(h => DateTimeOffset.Parse((string)h!["at"]!)).ToList();
        for (var i = 1; i < times.Count; i++)
            Assert.True(times[i] - times[i - 1] >= TimeSpan.FromMilliseconds(2000 * Math.Pow(2, i - 1) - 250), $"reconnect {i} came after {times[i] - times[i - 1]}");
        // The silo is still up and still offers the engine.
        var engines = await (await client.GetAsync("/v1/engines")).ReadJsonAsync(System.Net.HttpStatusCode.OK);
        Assert.Contains(engines["data"]!.AsArray(), e => (string?)e!["name"] == "web");
    }
}
