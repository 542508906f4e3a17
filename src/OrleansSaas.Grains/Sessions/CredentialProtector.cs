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

    /// <summary>
    /// Keys being rotated out (base64 of 32 bytes each): they only decrypt, and the leader re-seals what they
    /// opened under <see cref="CredentialKey"/>; remove them once it logs that nothing is left under them.
    /// </summary>
    public string[] PreviousCredentialKeys { get; set; } = [];

    /// <summary>How often the leader looks for credentials still sealed under a previous key, while any is configured.</summary>
    public TimeSpan ResealInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Encrypts engine credentials at rest with AES-256-GCM. The session key is bound in as associated
/// data, so a ciphertext copied into another session's state does not decrypt. Sealing always uses the
/// current key; opening also tries the previous keys of a rotation (GCM's tag tells which key fits).
/// </summary>
public sealed class CredentialProtector(IOptions<SecurityOptions> options) : OrleansSaas.Engines.IEngineSealer
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key = Convert.FromBase64String(options.Value.CredentialKey);
    private readonly byte[][] _previousKeys = options.Value.PreviousCredentialKeys.Select(Convert.FromBase64String).ToArray();

    public bool IsRotating => _previousKeys.Length > 0;

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

    public string Unprotect(string sessionKey, byte[] sealedBox) => Open(sessionKey, sealedBox).Plain;

    /// <summary>The box sealed again under the current key when only a previous key opens it; null when it is current already.</summary>
    public byte[]? Reseal(string sessionKey, byte[] sealedBox)
    {
        var (plain, current) = Open(sessionKey, sealedBox);
        return current ? null : Protect(sessionKey, plain);
    }

    private (string Plain, bool Current) Open(string sessionKey, byte[] sealedBox)
    {
        if (TryOpen(_key, sessionKey, sealedBox) is { } plain) return (plain, true);
        foreach (var previous in _previousKeys)
            if (TryOpen(previous, sessionKey, sealedBox) is { } old) return (old, false);
        throw new AuthenticationTagMismatchException("The credentials open under none of the configured credential keys.");
    }

    private static string? TryOpen(byte[] key, string sessionKey, byte[] sealedBox)
    {
        var plain = new byte[sealedBox.Length - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        try
        {
            aes.Decrypt(sealedBox.AsSpan(0, NonceSize), sealedBox.AsSpan(NonceSize + TagSize), sealedBox.AsSpan(NonceSize, TagSize), plain, Encoding.UTF8.GetBytes(sessionKey));
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
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
