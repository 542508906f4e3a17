using System.Net;
using System.Net.Http.Json;
using OrleansSaas.Tests.Cluster;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.Admin;

/// <summary>
/// Rotating the credential key while the cluster serves: a silo with the new key (read from a file) and the old
/// one as decrypt-only takes over and re-seals; a silo with only the new key still opens every credential.
/// </summary>
public sealed class CredentialRotationTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Sessions_and_webhook_secrets_stay_readable_through_a_rotation_and_after_the_old_key_is_gone()
    {
        var oldKey = NewKey();
        var newKey = NewKey();
        var newKeyFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(newKeyFile, newKey + "\n");
        try
        {
            await using var cluster = await TestCluster.StartAsync(silos: 1,
                settings: TestCluster.AllowingLoopback(new Dictionary<string, string> { ["Security__CredentialKey"] = oldKey }),
                gatewaySettings: TestCluster.AllowingLoopback()); // the webhook receiver runs on loopback
            using var client = cluster.CreateClient();
            var sessionId = await client.CreatePairedSessionAsync("+12015559701");
            await using var receiver = await WebhookReceiver.StartAsync();
            var webhook = await (await client.PostAsJsonAsync("/v1/webhooks", new { url = receiver.Url })).ReadJsonAsync(HttpStatusCode.Created);
            var (webhookId, secret) = ((string)webhook["webhook"]!["id"]!, (string)webhook["secret"]!);
            var sealedBefore = await cluster.QueryScalarAsync<byte[]>("SELECT secret FROM webhook_subscriptions WHERE id = @id", ("id", webhookId));

            // The new key is current on the silo that takes over; the old one only opens what is not re-sealed yet.
            await cluster.StartSiloAsync(2, TestCluster.AllowingLoopback(new Dictionary<string, string>
            {
                ["Security__CredentialKey_FILE"] = newKeyFile,
                ["Security__PreviousCredentialKeys__0"] = oldKey,
                ["Security__ResealInterval"] = "00:00:01",
            }));
            await cluster.StopSiloGracefullyAsync(1, Drain);
            await ConnectedOnAsync(cluster, client, sessionId, 2);
            await Api.EventuallyAsync(() => cluster.QueryScalarAsync<byte[]>("SELECT secret FROM webhook_subscriptions WHERE id = @id", ("id", webhookId)),
                now => now is not null && !now.SequenceEqual(sealedBefore!), Patience, "the webhook secret re-sealed");
            await PingVerifiesAsync(client, receiver, webhookId, secret);

            // The old key is gone: everything opens with the new key alone.
            await cluster.StartSiloAsync(3, TestCluster.AllowingLoopback(new Dictionary<string, string> { ["Security__CredentialKey"] = newKey }));
            await cluster.StopSiloGracefullyAsync(2, Drain);
            await ConnectedOnAsync(cluster, client, sessionId, 3);
            await PingVerifiesAsync(client, receiver, webhookId, secret);
            Assert.False(cluster.Silos[3].OutputContains("opens under no configured credential key"));
        }
        finally
        {
            File.Delete(newKeyFile);
        }
    }

    // While a silo leaves, a read can meet it on the way out; only the end state counts.
    private static async Task ConnectedOnAsync(TestCluster cluster, HttpClient client, string sessionId, int silo) =>
        await Api.EventuallyAsync(async () =>
            {
                var response = await client.GetAsync($"/v1/sessions/{sessionId}");
                return response.IsSuccessStatusCode ? System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync()) : null;
            },
            s => s is not null && (string?)s["status"] == "connected" && cluster.SiloIndexOf(s.Silo()) == silo, Patience, $"the session connected on silo {silo}");

    private static async Task PingVerifiesAsync(HttpClient client, WebhookReceiver receiver, string webhookId, string secret)
    {
        var ping = await (await client.PostAsync($"/v1/webhooks/{webhookId}/ping", null)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.True((bool)ping["delivered"]!);
        var pinged = receiver.Received[^1];
        Assert.True(SignatureVerifier.Verify(secret, pinged.Timestamp, pinged.Signature, pinged.Body, DateTimeOffset.UtcNow));
    }

    private static string NewKey() => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
}
