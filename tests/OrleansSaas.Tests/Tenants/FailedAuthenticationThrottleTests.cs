using System.Net;
using OrleansSaas.Contracts.Tenants;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.Tenants;

/// <summary>Guessing secrets is held back before the guesses reach the key's grain, without locking out the key's holder.</summary>
[Collection(SharedClusterCollection.Name)]
public sealed class FailedAuthenticationThrottleTests(SharedClusterFixture fixture)
{
    [Fact]
    public async Task Repeated_wrong_secrets_for_a_key_id_get_429_with_Retry_After_while_the_real_key_keeps_working()
    {
        var cluster = fixture.Cluster;
        // A gateway of its own with the product's default back-off (the shared test gateways turn it off).
        var url = await cluster.StartExtraGatewayAsync(new Dictionary<string, string>
        {
            ["RateLimits__FailedAuthBurst"] = "10",
            ["RateLimits__FailedAuthPerSecond"] = "1",
        });
        var (_, owner) = await cluster.CreateTenantClientAsync();
        var realKey = owner.DefaultRequestHeaders.GetValues("X-Api-Key").Single();
        owner.BaseAddress = url;
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync("/v1/sessions")).StatusCode);
        var keyId = realKey["osk_".Length..realKey.IndexOf('_', "osk_".Length)];

        using var attacker = new HttpClient { BaseAddress = url };
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? throttled = null;
        for (var i = 0; i < 40; i++)
        {
            var guess = ApiKeyFormat.Generate().PlainKey;
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/sessions");
            request.Headers.Add("X-Api-Key", $"osk_{keyId}_{guess[(guess.IndexOf('_', "osk_".Length) + 1)..]}");
            var response = await attacker.SendAsync(request);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests) throttled ??= response;
        }

        Assert.NotNull(throttled);
        Assert.True(statuses.Count(s => s == HttpStatusCode.Unauthorized) <= 12, string.Join(",", statuses.Select(s => (int)s)));
        await throttled!.AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate-limited");
        Assert.True(int.Parse(throttled.Headers.GetValues("Retry-After").Single()) >= 1);
        // The holder of the real key, from the same address, is not locked out.
        await Task.Delay(TimeSpan.FromSeconds(6)); // past the authentication cache, so the real key is checked again
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync("/v1/sessions")).StatusCode);
    }
}
