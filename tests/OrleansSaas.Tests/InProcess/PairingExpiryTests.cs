using OrleansSaas.Contracts.Sessions;
using OrleansSaas.Testing;

namespace OrleansSaas.Tests.InProcess;

/// <summary>Pairing rules of the session grain (until issue 15 it ran against a silo process and a gateway).</summary>
public sealed class PairingExpiryTests
{
    [Fact]
    public async Task QR_codes_rotate_and_an_unscanned_pairing_expires()
    {
        await using var cluster = await InProcessCluster.StartAsync(silos: 1, new Dictionary<string, string>
        {
            ["Sessions:QrRotationInterval"] = "00:00:01",
            ["Sessions:MaxQrCodes"] = "3",
        });
        var tenant = await cluster.CreateTenantAsync();
        var session = cluster.Session(await cluster.CreateSessionAsync(tenant.Id));

        var first = (await session.GetQr()).Qr!;
        var rotated = await Eventually.Async(async () => (await session.GetQr()).Qr,
            qr => qr is not null && qr.Sequence > first.Sequence, TimeSpan.FromSeconds(10), "a new QR code");
        Assert.NotEqual(first.Value, rotated!.Value);

        var expired = await Eventually.Async(async () => (await session.Get())!, s => s.Status == SessionStatus.Disconnected, TimeSpan.FromSeconds(15), "the pairing to expire");
        Assert.Equal("pairing_expired", expired.History[^1].Reason);
        Assert.Equal(SessionError.NotPairing, (await session.GetQr()).Error);
    }
}
