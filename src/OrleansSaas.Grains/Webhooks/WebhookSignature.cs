using System.Security.Cryptography;
using System.Text;

namespace OrleansSaas.Grains.Webhooks;

/// <summary>
/// The signature scheme documented in the README: hex HMAC-SHA256, keyed with the secret's UTF-8 bytes,
/// over "{timestamp}.{raw body}", sent as "v1=&lt;hex&gt;" once per valid secret.
/// </summary>
public static class WebhookSignature
{
    public const string IdHeader = "OrleansSaas-Event-Id";
    public const string TypeHeader = "OrleansSaas-Event-Type";
    public const string TimestampHeader = "OrleansSaas-Timestamp";
    public const string SignatureHeader = "OrleansSaas-Signature";
    private const string SecretPrefix = "whsec_";

    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Sign(string secret, long timestamp, string body) =>
        "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));

    /// <summary>The signature header's value: one signature per secret, separated by spaces.</summary>
    public static string Header(IEnumerable<string> secrets, long timestamp, string body) =>
        string.Join(' ', secrets.Select(secret => Sign(secret, timestamp, body)));
}
