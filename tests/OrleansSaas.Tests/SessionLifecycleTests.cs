using System.Net;
using System.Net.Http.Json;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests;

[Collection(SharedClusterCollection.Name)]
public sealed class SessionLifecycleTests(SharedClusterFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly HttpClient _client = fixture.Cluster.CreateClient();

    [Fact]
    public async Task A_new_session_pairs_by_QR_code_and_exchanges_messages_with_receipts()
    {
        var created = await _client.CreateSessionAsync("alice");
        var alice = (string)created["id"]!;
        Assert.Equal("pairing", (string?)created["status"]);

        var qr = await (await _client.GetAsync($"/v1/sessions/{alice}/qr")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.StartsWith("2@", (string)qr["value"]!);
        var png = await _client.GetAsync($"/v1/sessions/{alice}/qr?format=png");
        Assert.Equal("image/png", png.Content.Headers.ContentType?.MediaType);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], (await png.Content.ReadAsByteArrayAsync())[..4]);

        var scan = await _client.PostAsJsonAsync($"/v1/sessions/{alice}/dev/scan", new { phoneNumber = "+12015550101", profileName = "Alice" });
        var paired = await scan.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("connected", (string?)paired["status"]);
        Assert.Equal("+12015550101", (string?)paired["phoneNumber"]);
        Assert.Equal("Alice", (string?)paired["profileName"]);
        Assert.Equal(["created", "pairing", "connected"], paired["history"]!.AsArray().Select(h => (string)h!["status"]!));
        Assert.False(string.IsNullOrEmpty((string?)paired["placement"]!["silo"]));

        var bob = await _client.CreatePairedSessionAsync("+12015550102");
        var sent = await _client.SendTextAsync(alice, "+12015550102", "hello bob");
        Assert.Equal("queued", (string?)sent["status"]);
        var messageId = (string)sent["id"]!;

        var inbound = await Api.EventuallyAsync(() => _client.ListAllMessagesAsync(bob, "inbound"), m => m.Count == 1, Patience, "bob's inbound message");
        Assert.Equal("hello bob", (string?)inbound[0]["text"]);
        Assert.Equal("+12015550101", (string?)inbound[0]["peer"]);

        var seen = new List<string>();
        await Api.EventuallyAsync(async () => (string)(await (await _client.GetAsync($"/v1/sessions/{alice}/messages/{messageId}")).ReadJsonAsync(HttpStatusCode.OK))["status"]!,
            s => s == "delivered", Patience, "the delivery receipt");
        Assert.Equal(HttpStatusCode.NoContent, (await _client.PostAsync($"/v1/sessions/{bob}/messages/{(string)inbound[0]["id"]!}/read", null)).StatusCode);

        await Api.EventuallyAsync(async () =>
        {
            var status = (string)(await (await _client.GetAsync($"/v1/sessions/{alice}/messages/{messageId}")).ReadJsonAsync(HttpStatusCode.OK))["status"]!;
            if (seen.LastOrDefault() != status) seen.Add(status);
            return status;
        }, s => s == "read", Patience, "the read receipt");
        Assert.Equal("read", seen[^1]);
        Assert.DoesNotContain("failed", seen);
    }

    [Fact]
    public async Task A_scan_of_a_stale_QR_code_is_refused()
    {
        var id = (string)(await _client.CreateSessionAsync())["id"]!;
        var response = await _client.PostAsJsonAsync($"/v1/sessions/{id}/dev/scan", new { phoneNumber = "+12015550111" });
        await response.ReadJsonAsync(HttpStatusCode.OK);

        // Paired now: there is no QR code any more, and a second scan cannot take the session over.
        var qr = await _client.GetAsync($"/v1/sessions/{id}/qr");
        Assert.Equal(HttpStatusCode.Conflict, qr.StatusCode);
        Assert.Equal("application/problem+json", qr.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Logout_ends_the_session_and_start_pairs_it_again()
    {
        var id = await _client.CreatePairedSessionAsync("+12015550121");

        var loggedOut = await (await _client.PostAsync($"/v1/sessions/{id}/logout", null)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("logged_out", (string?)loggedOut["status"]);
        var send = await _client.PostAsJsonAsync($"/v1/sessions/{id}/messages", new { to = "+12015550122", text = "after logout" });
        Assert.Equal(HttpStatusCode.Conflict, send.StatusCode);

        var restarted = await (await _client.PostAsync($"/v1/sessions/{id}/start", null)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("pairing", (string?)restarted["status"]);
        await (await _client.GetAsync($"/v1/sessions/{id}/qr")).ReadJsonAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Pagination_returns_every_message_once_newest_first()
    {
        var sender = await _client.CreatePairedSessionAsync("+12015550131");
        for (var i = 0; i < 7; i++) await _client.SendTextAsync(sender, "+12015550132", $"m{i}");

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await _client.GetAsync($"/v1/sessions/{sender}/messages?limit=3" + (cursor is null ? "" : $"&cursor={cursor}"))).ReadJsonAsync(HttpStatusCode.OK);
            seen.AddRange(page["items"]!.AsArray().Select(m => (string)m!["text"]!));
            cursor = (string?)page["nextCursor"];
        } while (cursor is not null);

        Assert.Equal(Enumerable.Range(0, 7).Reverse().Select(i => $"m{i}"), seen);
    }
}
