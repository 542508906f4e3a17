using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests;

/// <summary>One silo and two gateways with a low per-key request rate; each test uses tenants of its own.</summary>
public sealed class TwoGatewayFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;
    public Uri SecondGateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string> { ["RateLimits__RequestsPerSecondPerKey"] = "2", ["RateLimits__Burst"] = "30" };
        Cluster = await TestCluster.StartAsync(silos: 1, gatewaySettings: settings);
        SecondGateway = await Cluster.StartExtraGatewayAsync(settings);
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>Plan limits and request rates hold across the deployment: every test here spreads its load over two gateways.</summary>
public sealed class QuotaTests(TwoGatewayFixture fixture) : IClassFixture<TwoGatewayFixture>
{
    private readonly TestCluster _cluster = fixture.Cluster;
    private readonly Uri _secondGateway = fixture.SecondGateway;

    [Fact]
    public async Task A_tenant_cannot_create_more_sessions_than_its_plan_allows_whichever_gateway_it_uses()
    {
        var (tenant, key) = await TenantWithPlanAsync(new { maxSessions = 3, messagesPerMinute = 1000 });
        using var first = _cluster.CreateClient(key);
        using var second = Client(_secondGateway, key);

        var replies = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? first : second).PostAsJsonAsync("/v1/sessions", new { name = $"s{i}" })));

        Assert.Equal(3, replies.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var refused in replies.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("https://orleanssaas.dev/problems/quota-exceeded", (string?)JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["type"]);
        }
        Assert.Equal(3L, await _cluster.QueryScalarAsync<long>("SELECT count(*) FROM sessions WHERE tenant_id = @t", ("t", tenant)));

        var created = (string)JsonNode.Parse(await replies.First(r => r.StatusCode == HttpStatusCode.Created).Content.ReadAsStringAsync())!["id"]!;
        Assert.Equal(HttpStatusCode.NoContent, (await second.DeleteAsync($"/v1/sessions/{created}")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await first.PostAsJsonAsync("/v1/sessions", new { name = "after delete" })).StatusCode);
    }

    [Fact]
    public async Task Messages_beyond_the_plan_per_minute_get_429_with_Retry_After_on_every_gateway()
    {
        var (tenant, key) = await TenantWithPlanAsync(new { maxSessions = 5, messagesPerMinute = 6 });
        using var first = _cluster.CreateClient(key);
        using var second = Client(_secondGateway, key);
        var session = await first.CreatePairedSessionAsync("+12015550951");

        var replies = new List<HttpResponseMessage>();
        for (var i = 0; i < 12; i++)
            replies.Add(await (i % 2 == 0 ? first : second).PostAsJsonAsync($"/v1/sessions/{session}/messages", new { to = "+12015550952", text = $"m{i}" }));

        Assert.Equal(6, replies.Count(r => r.StatusCode == HttpStatusCode.Accepted));
        var limited = replies.Where(r => r.StatusCode != HttpStatusCode.Accepted).ToList();
        Assert.All(limited, r => Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode));
        Assert.All(limited, r => Assert.True(r.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is set"));
        Assert.Equal(6L, await _cluster.QueryScalarAsync<long>("SELECT count(*) FROM messages WHERE tenant_id = @t", ("t", tenant)));
    }

    [Fact]
    public async Task One_key_spread_over_two_gateways_gets_one_keys_request_rate()
    {
        var (_, key) = await TenantWithPlanAsync(new { maxSessions = 5, messagesPerMinute = 1000 });
        using var first = _cluster.CreateClient(key);
        using var second = Client(_secondGateway, key);
        var started = DateTime.UtcNow;

        var replies = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => (i % 2 == 0 ? first : second).GetAsync("/v1/sessions")));
        var elapsed = DateTime.UtcNow - started;

        var allowed = replies.Count(r => r.StatusCode == HttpStatusCode.OK);
        Assert.InRange(allowed, 1, 30 + (int)Math.Ceiling(elapsed.TotalSeconds * 2) + 1);
        var limited = replies.Where(r => r.StatusCode != HttpStatusCode.OK).ToList();
        Assert.NotEmpty(limited);
        Assert.All(limited, r => Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode));
        Assert.All(limited, r => Assert.NotNull(r.Headers.RetryAfter));
    }

    private async Task<(string TenantId, string Key)> TenantWithPlanAsync(object plan)
    {
        using var admin = _cluster.CreateAdminClient();
        var tenant = await (await admin.PostAsJsonAsync("/v1/admin/tenants", new { name = "quota test", plan })).ReadJsonAsync(HttpStatusCode.Created);
        var id = (string)tenant["id"]!;
        var key = await (await admin.PostAsJsonAsync($"/v1/admin/tenants/{id}/keys", new { })).ReadJsonAsync(HttpStatusCode.Created);
        return (id, (string)key["key"]!);
    }

    private static HttpClient Client(Uri gateway, string key)
    {
        var client = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }
}
