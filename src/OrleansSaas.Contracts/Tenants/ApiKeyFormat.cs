using System.Security.Cryptography;
using System.Text;

namespace OrleansSaas.Contracts.Tenants;

/// <summary>
/// Plain keys look like <c>osk_{keyId}_{secret}</c>: the id finds the key's grain without a lookup table,
/// the secret is compared by hash. Secrets are 256 random bits, so a plain SHA-256 is enough (no stretching needed).
/// </summary>
public static class ApiKeyFormat
{
    private const string Prefix = "osk_";
    private const int KeyIdBytes = 6;
    private const int SecretBytes = 32;

    public static (string KeyId, string PlainKey, byte[] SecretHash) Generate()
    {
        var keyId = RandomToken(KeyIdBytes);
        var secret = RandomToken(SecretBytes);
        return (keyId, $"{Prefix}{keyId}_{secret}", Hash(secret));
    }

    public static bool TryParse(string? plainKey, out string keyId, out byte[] secretHash)
    {
        keyId = "";
        secretHash = [];
        if (plainKey is null || !plainKey.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var rest = plainKey.AsSpan(Prefix.Length);
        var split = rest.IndexOf('_');
        // Only the shape this class generates, so garbage never activates a key grain.
        if (split < 0 || !IsKeyId(rest[..split]) || !IsToken(rest[(split + 1)..], SecretBytes)) return false;
        keyId = rest[..split].ToString();
        secretHash = Hash(rest[(split + 1)..].ToString());
        return true;
    }

    /// <summary>Whether the text could be a key id this class generated.</summary>
    public static bool IsKeyId(ReadOnlySpan<char> text) => IsToken(text, KeyIdBytes);

    private static bool IsToken(ReadOnlySpan<char> text, int bytes) =>
        text.Length == bytes * 2 && !text.ContainsAnyExcept("0123456789abcdef");

    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    private static string RandomToken(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));
}
