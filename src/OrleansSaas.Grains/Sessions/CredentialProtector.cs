using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace OrleansSaas.Grains.Sessions;

public sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>Base64 of 32 random bytes; every silo of a cluster needs the same key. Generated at first run by the run script.</summary>
    [Required(ErrorMessage = "Security:CredentialKey is required (base64 of 32 random bytes, the same on every silo).")]
    public string CredentialKey { get; set; } = "";
}

/// <summary>
/// Encrypts engine credentials at rest with AES-256-GCM. The session key is bound in as associated
/// data, so a ciphertext copied into another session's state does not decrypt.
/// </summary>
public sealed class CredentialProtector(IOptions<SecurityOptions> options) : OrleansSaas.Engines.IEngineSealer
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key = Convert.FromBase64String(options.Value.CredentialKey);

    public byte[] Protect(string sessionKey, string credentials)
    {
        var plain = Encoding.UTF8.GetBytes(credentials);
        var sealedBox = new byte[NonceSize + TagSize + plain.Length];
        var nonce = sealedBox.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plain, sealedBox.AsSpan(NonceSize + TagSize), sealedBox.AsSpan(NonceSize, TagSize), Encoding.UTF8.GetBytes(sessionKey));
        return sealedBox;
    }

    public string Unprotect(string sessionKey, byte[] sealedBox)
    {
        var plain = new byte[sealedBox.Length - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(sealedBox.AsSpan(0, NonceSize), sealedBox.AsSpan(NonceSize + TagSize), sealedBox.AsSpan(NonceSize, TagSize), plain, Encoding.UTF8.GetBytes(sessionKey));
        return Encoding.UTF8.GetString(plain);
    }

    byte[] OrleansSaas.Engines.IEngineSealer.Seal(string purpose, string plain) => Protect(purpose, plain);

    string OrleansSaas.Engines.IEngineSealer.Open(string purpose, byte[] sealedBox) => Unprotect(purpose, sealedBox);

    public static bool IsValidKey(string base64)
    {
        var buffer = new byte[32];
        return Convert.TryFromBase64String(base64, buffer, out var written) && written == 32;
    }
}
