using System.Net;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests;

public sealed class PairingExpiryTests
{
    [Fact]
    public async Task QR_codes_rotate_and_an_unscanned_pairing_expires()
    {
        await using var cluster = await TestCluster.StartAsync(silos: 1, new Dictionary<string, string>
        {
            ["Sessions__QrRotationInterval"] = "00:00:01",
            ["Sessions__MaxQrCodes"] = "3",
        });
        using var client = cluster.CreateClient();
        var id = (string)(await client.CreateSessionAsync())["id"]!;

        var first = await (await client.GetAsync($"/v1/sessions/{id}/qr")).ReadJsonAsync(HttpStatusCode.OK);
        var rotated = await Api.EventuallyAsync(async () => await (await client.GetAsync($"/v1/sessions/{id}/qr")).ReadJsonAsync(HttpStatusCode.OK),
            qr => (int)qr["sequence"]! > (int)first["sequence"]!, TimeSpan.FromSeconds(10), "a new QR code");
        Assert.NotEqual((string?)first["value"], (string?)rotated["value"]);

        var expired = await Api.EventuallyAsync(() => client.GetSessionAsync(id), s => (string?)s["status"] == "disconnected", TimeSpan.FromSeconds(15), "the pairing to expire");
        Assert.Equal("pairing_expired", (string?)expired["history"]!.AsArray().Last()!["reason"]);
        Assert.Equal(HttpStatusCode.Conflict, (await client.GetAsync($"/v1/sessions/{id}/qr")).StatusCode);
    }
}
