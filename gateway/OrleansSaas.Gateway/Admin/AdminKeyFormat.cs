using System.Security.Cryptography;
using System.Text;

namespace OrleansSaas.Gateway.Admin;

/// <summary>Named admin keys: <c>oak_</c> + a key id + <c>_</c> + a random secret, all lower-case hex. Only the secret's SHA-256 is stored.</summary>
public static class AdminKeyFormat
{
    private const string Prefix = "oak_";
    private const int KeyIdBytes = 6;
    private const int SecretBytes = 32;

    /// <summary>The id and name under which the configured bootstrap key (Admin:ApiKey) acts and is audited.</summary>
    public const string BootstrapId = "bootstrap";

    public static (string KeyId, string PlainKey, byte[] SecretHash) Generate()
    {
        var keyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(KeyIdBytes));
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(SecretBytes));
        return (keyId, $"{Prefix}{keyId}_{secret}", Hash(secret));
    }

    public static bool TryParse(string presented, out string keyId, out byte[] secretHash)
    {
        keyId = "";
        secretHash = [];
        if (!presented.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var parts = presented[Prefix.Length..].Split('_');
        if (parts.Length != 2 || !IsKeyId(parts[0]) || !IsHex(parts[1], SecretBytes)) return false;
        keyId = parts[0];
        secretHash = Hash(parts[1]);
        return true;
    }

    public static bool IsKeyId(string text) => IsHex(text, KeyIdBytes);

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    private static bool IsHex(string text, int bytes) => text.Length == bytes * 2 && text.All(char.IsAsciiHexDigitLower);
}
