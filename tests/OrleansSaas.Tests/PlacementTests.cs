using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests;

public sealed class PlacementTests
{
    [Fact]
    public async Task Sessions_spread_over_silos_never_above_their_maximum_and_a_full_cluster_answers_503_creating_nothing()
    {
        await using var cluster = await TestCluster.StartAsync(silos: 2, new Dictionary<string, string> { ["Silo__MaxSessions"] = "3" });
        using var client = cluster.CreateClient();
        using var admin = cluster.CreateAdminClient();
        // Placement counts a silo once it has reported its capacity: wait for both reports, not a fixed time.
        await Api.EventuallyAsync(async () => (await (await admin.GetAsync("/v1/admin/silos")).ReadJsonAsync(HttpStatusCode.OK)).AsArray(),
            list => list.Count == 2 && list.All(s => (int?)s!["maxSessions"] == 3), TimeSpan.FromSeconds(30), "both silos' capacity reports");

        var created = new List<string>();
        HttpResponseMessage refused;
        while (true)
        {
            var response = await client.PostAsJsonAsync("/v1/sessions", new { name = $"s{created.Count}" });
            if (response.StatusCode != HttpStatusCode.Created)
            {
                refused = response;
                break;
            }
            created.Add((string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!);
            Assert.True(created.Count <= 6, "more sessions were placed than the silos' maximums allow");
        }

        Assert.Equal(6, created.Count);
        var problem = await refused.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "capacity-exhausted");
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal(6L, await cluster.QueryScalarAsync<long>("SELECT count(*) FROM sessions"));
        var perSilo = await Task.WhenAll(created.Select(async id => (string)(await client.GetSessionAsync(id))["placement"]!["silo"]!));
        Assert.All(perSilo.GroupBy(s => s), g => Assert.Equal(3, g.Count()));
        Assert.Contains("maximum", (string?)problem["detail"]);
    }

    [Fact]
    public async Task Operators_see_each_silo_with_its_load_and_the_sessions_it_hosts()
    {
        await using var cluster = await TestCluster.StartAsync(silos: 2, new Dictionary<string, string> { ["Silo__MaxSessions"] = "50" });
        using var client = cluster.CreateClient();
        using var admin = cluster.CreateAdminClient();
        var first = await client.CreatePairedSessionAsync("+12015550971");
        var second = await client.CreatePairedSessionAsync("+12015550972");

        var silos = await Api.EventuallyAsync(async () => (await (await admin.GetAsync("/v1/admin/silos")).ReadJsonAsync(HttpStatusCode.OK)).AsArray(),
            list => list.Count == 2 && list.Sum(s => (int)s!["sessions"]!) >= 2, TimeSpan.FromSeconds(20), "both silos with their sessions");
        Assert.All(silos, s =>
        {
            Assert.Equal("active", (string?)s!["status"]);
            Assert.Equal(50, (int?)s["maxSessions"]);
            Assert.True((int)s["activations"]! > 0);
        });

        foreach (var id in new[] { first, second })
        {
            var host = (string)(await client.GetSessionAsync(id))["placement"]!["silo"]!;
            var hosted = await (await admin.GetAsync($"/v1/admin/silos/{Uri.EscapeDataString(host)}/sessions")).ReadJsonAsync(HttpStatusCode.OK);
            Assert.Contains(id, hosted.AsArray().Select(h => (string)h!["session"]!["id"]!));
        }
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/v1/admin/silos/127.0.0.1:1@1/sessions")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/v1/admin/silos")).StatusCode);
    }
}
