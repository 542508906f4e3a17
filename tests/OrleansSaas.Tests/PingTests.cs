using System.Net;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests;

[Collection(SharedClusterCollection.Name)]
public sealed class PingTests(SharedClusterFixture fixture)
{
    [Fact]
    public async Task Ping_answers_any_valid_key_from_a_silo_and_refuses_callers_without_one()
    {
        var (_, readOnly) = await fixture.Cluster.CreateTenantClientAsync("messages:read");
        using (readOnly)
        {
            var pong = await (await readOnly.GetAsync("/v1/ping")).ReadJsonAsync(HttpStatusCode.OK);
            Assert.True(DateTimeOffset.TryParse((string?)pong["at"], out _), pong.ToJsonString());
        }

        using var anonymous = new HttpClient { BaseAddress = fixture.Cluster.GatewayUrl };
        await (await anonymous.GetAsync("/v1/ping")).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }
}
