using System.Net;
using System.Net.Http.Headers;
using OrleansSaas.Tests.Infrastructure;
using OrleansSaas.Tests.Media;

namespace OrleansSaas.Tests.Tenants;

/// <summary>GET /v1/usage: the tenant's plan next to what it uses, counted from its own rows only.</summary>
[Collection(SharedClusterCollection.Name)]
public sealed class UsageTests(SharedClusterFixture fixture)
{
    [Fact]
    public async Task Usage_shows_the_plan_and_counts_the_tenants_own_sessions_messages_and_media()
    {
        using var admin = fixture.Cluster.CreateAdminClient();
        var tenant = await admin.CreateTenantAsync(new { name = "Usage shop", plan = new { maxSessions = 7, messagesPerMinute = 120, mediaStorageBytes = 1_000_000 } });
        var tenantId = (string)tenant["id"]!;
        using var client = await fixture.Cluster.KeyClientAsync(tenantId, "sessions:read", "sessions:write", "messages:send", "messages:read");
        using var other = (await fixture.Cluster.CreateTenantClientAsync()).Client;

        var empty = await (await client.GetAsync("/v1/usage")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(tenantId, (string)empty["tenantId"]!);
        Assert.Equal("Usage shop", (string)empty["name"]!);
        Assert.Equal(7, (int)empty["plan"]!["maxSessions"]!);
        Assert.Equal(120, (int)empty["plan"]!["messagesPerMinute"]!);
        Assert.Equal(1_000_000, (long)empty["plan"]!["mediaStorageBytes"]!);
        Assert.Equal(0, (int)empty["used"]!["sessions"]!);
        Assert.Equal(0, (long)empty["used"]!["messagesLastMinute"]!);
        Assert.Equal(0, (long)empty["used"]!["mediaStorageBytes"]!);

        var sender = await client.CreatePairedSessionAsync($"+1201559{Random.Shared.Next(1000, 9999)}");
        await client.CreateSessionAsync("second");
        await client.SendTextAsync(sender, "+12015550188", "one");
        await client.SendTextAsync(sender, "+12015550188", "two");
        var png = MediaSamples.Named("png", 2000);
        using var upload = new MultipartFormDataContent();
        var file = new ByteArrayContent(png);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        upload.Add(file, "file", "logo.png");
        await (await client.PostAsync("/v1/media", upload)).ReadJsonAsync(HttpStatusCode.Created);
        // Another tenant's activity is not counted.
        await other.CreateSessionAsync("not mine");

        var used = (await (await client.GetAsync("/v1/usage")).ReadJsonAsync(HttpStatusCode.OK))["used"]!;
        Assert.Equal(2, (int)used["sessions"]!);
        Assert.Equal(2, (long)used["messagesLastMinute"]!);
        Assert.Equal(png.Length, (long)used["mediaStorageBytes"]!);
    }

    [Fact]
    public async Task Usage_needs_a_tenant_key()
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.Cluster.GatewayUrl };
        await (await anonymous.GetAsync("/v1/usage")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        using var admin = fixture.Cluster.CreateAdminClient();
        await (await admin.GetAsync("/v1/usage")).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }
}
