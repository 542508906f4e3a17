using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using OrleansSaas.Grains.Sessions;

namespace OrleansSaas.Tests;

public sealed class CredentialProtectorTests
{
    private readonly CredentialProtector _protector = new(Options.Create(new SecurityOptions { CredentialKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }));

    [Fact]
    public void Credentials_round_trip_and_are_not_stored_in_plain_text()
    {
        var sealedBox = _protector.Protect("demo/ses_1", "device-secret-123");

        Assert.DoesNotContain("device-secret-123", Encoding.UTF8.GetString(sealedBox));
        Assert.Equal("device-secret-123", _protector.Unprotect("demo/ses_1", sealedBox));
    }

    [Fact]
    public void Ciphertext_moved_to_another_session_or_tampered_with_does_not_decrypt()
    {
        var sealedBox = _protector.Protect("demo/ses_1", "device-secret-123");

        Assert.ThrowsAny<CryptographicException>(() => _protector.Unprotect("other/ses_1", sealedBox));
        sealedBox[^1] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => _protector.Unprotect("demo/ses_1", sealedBox));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64")]
    [InlineData("AAAA")]
    public void Only_a_32_byte_key_is_accepted(string key) => Assert.False(CredentialProtector.IsValidKey(key));
}
