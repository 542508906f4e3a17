using System.Net;
using System.Net.Http.Json;
using OrleansSaas.Tests.Infrastructure;
using OrleansSaas.Tests.Media;

namespace OrleansSaas.Tests.Tenants;

/// <summary>
/// The leader's lifecycle chore on a cluster of its own: a default retention of one day and a grace period of
/// one day, checked every second. Ages are set by moving rows' timestamps back, so nothing depends on timing.
/// </summary>
public sealed class TenantLifecycleTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private TestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestCluster.StartAsync(silos: 1, settings: new Dictionary<string, string>
    {
        ["Lifecycle__MessageRetention"] = "1.00:00:00",
        ["Lifecycle__DeletedTenantGrace"] = "1.00:00:00",
        ["Lifecycle__Interval"] = "00:00:01",
    });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Messages_and_media_past_their_plans_retention_are_purged_and_newer_ones_kept()
    {
        var (defaultTenant, client) = await _cluster.CreateTenantClientAsync();
        var (longTenant, longClient) = await TenantWithRetentionAsync(days: 3);
        var session = await client.CreatePairedSessionAsync("+12015559801");
        var longSession = await longClient.CreatePairedSessionAsync("+12015559802");
        var old = (string)(await client.SendTextAsync(session, "+12015559802", "old"))["id"]!;
        var oldMedia = (string)(await client.UploadAsync(MediaSamples.Named("png"), "image/png", "old.png"))["id"]!;
        var keptByPlan = (string)(await longClient.SendTextAsync(longSession, "+12015559801", "old but kept"))["id"]!;
        // Two days old: past the default day, within the three days of the second tenant's plan.
        await BackdateAsync("messages", old);
        await BackdateAsync("media", oldMedia);
        await BackdateAsync("messages", keptByPlan);
        var fresh = (string)(await client.SendTextAsync(session, "+12015559802", "new"))["id"]!;
        var freshMedia = (string)(await client.UploadAsync(MediaSamples.Named("png"), "image/png", "new.png"))["id"]!;

        await Api.EventuallyAsync(() => client.ListAllMessagesAsync(session, "outbound"), m => m.All(x => (string?)x["id"] != old), Patience, "the old message purged");
        Assert.Contains(await client.ListAllMessagesAsync(session, "outbound"), m => (string?)m["id"] == fresh);
        Assert.Contains(await longClient.ListAllMessagesAsync(longSession, "outbound"), m => (string?)m["id"] == keptByPlan);
        await Api.EventuallyAsync(() => client.GetAsync($"/v1/media/{oldMedia}"), r => r.StatusCode == HttpStatusCode.NotFound, Patience, "the old media purged");
        await (await client.GetAsync($"/v1/media/{freshMedia}")).ReadJsonAsync(HttpStatusCode.OK);
        // Its bytes went with it: the tenant's one remaining blob, and usage of one file.
        Assert.Equal(1, await _cluster.QueryScalarAsync<long>(
            "SELECT count(*) FROM media_blobs b WHERE EXISTS (SELECT 1 FROM media m WHERE m.blob_key = b.key AND m.tenant_id = @t)", ("t", defaultTenant)));
        Assert.Equal(MediaSamples.Named("png").Length, await _cluster.QueryScalarAsync<long>("SELECT used_bytes FROM media_usage WHERE tenant_id = @t", ("t", defaultTenant)));
        Assert.Equal(3, await _cluster.QueryScalarAsync<int>("SELECT message_retention_days FROM tenants WHERE tenant_id = @t", ("t", longTenant)));
    }

    [Fact]
    public async Task A_deleted_tenants_data_is_purged_after_the_grace_period_and_not_before()
    {
        var (expired, expiredClient) = await _cluster.CreateTenantClientAsync();
        var (recent, recentClient) = await _cluster.CreateTenantClientAsync();
        foreach (var (client, number, peer) in new[] { (expiredClient, "+12015559811", "+12015559812"), (recentClient, "+12015559813", "+12015559814") })
        {
            var session = await client.CreatePairedSessionAsync(number);
            await client.CreatePairedSessionAsync(peer);
            await client.SendTextAsync(session, peer, "hello");
            await client.UploadAsync(MediaSamples.Named("png"), "image/png", "a.png");
        }
        using var admin = _cluster.CreateAdminClient();
        foreach (var tenant in new[] { expired, recent })
            Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/v1/admin/tenants/{tenant}")).StatusCode);
        // Deleted two days ago: past the grace period. The other was deleted just now.
        await _cluster.QueryScalarAsync<int>("UPDATE tenants SET deleted_at = deleted_at - interval '2 days' WHERE tenant_id = @t", ("t", expired));

        await Api.EventuallyAsync(() => _cluster.QueryScalarAsync<DateTime?>("SELECT purged_at FROM tenants WHERE tenant_id = @t", ("t", expired)),
            at => at is not null, Patience, "the expired tenant purged");
        foreach (var table in new[] { "sessions", "messages", "media", "events", "api_keys", "media_usage" })
        {
            Assert.Equal(0, await CountAsync(table, expired));
            Assert.True(await CountAsync(table, recent) > 0, $"{table} of the tenant within its grace period was purged");
        }
        Assert.Null(await _cluster.QueryScalarAsync<DateTime?>("SELECT purged_at FROM tenants WHERE tenant_id = @t", ("t", recent)));
        // Who did what stays: the audit log is not tenant data to purge.
        Assert.True(await CountAsync("audit_log", expired) > 0);
    }

    private async Task<(string TenantId, HttpClient Client)> TenantWithRetentionAsync(int days)
    {
        using var admin = _cluster.CreateAdminClient();
        var tenant = await (await admin.PostAsJsonAsync("/v1/admin/tenants", new { name = "long memory", plan = new { messageRetentionDays = days } })).ReadJsonAsync(HttpStatusCode.Created);
        Assert.Equal(days, (int?)tenant["plan"]!["messageRetentionDays"]);
        var tenantId = (string)tenant["id"]!;
        var key = await (await admin.PostAsJsonAsync($"/v1/admin/tenants/{tenantId}/keys", new { })).ReadJsonAsync(HttpStatusCode.Created);
        return (tenantId, _cluster.CreateClient((string)key["key"]!));
    }

    private Task BackdateAsync(string table, string id) =>
        _cluster.QueryScalarAsync<int>($"UPDATE {table} SET created_at = created_at - interval '2 days' WHERE id = @id", ("id", id));

    private async Task<long> CountAsync(string table, string tenantId) =>
        await _cluster.QueryScalarAsync<long>($"SELECT count(*) FROM {table} WHERE tenant_id = @t", ("t", tenantId));
}
