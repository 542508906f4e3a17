using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OrleansSaas.Tests.Infrastructure;

/// <summary>
/// A receiver's verification, written from the README's "Verifying webhook signatures" section only:
/// HMAC-SHA256 keyed with the secret's UTF-8 bytes over "{timestamp}.{raw body}", hex, compared against each
/// "v1=" entry of the signature header; the timestamp must be within five minutes of now.
/// </summary>
public static class SignatureVerifier
{
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    public static bool Verify(string secret, string timestampHeader, string signatureHeader, string rawBody, DateTimeOffset now)
    {
        if (!long.TryParse(timestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp)) return false;
        if ((now - DateTimeOffset.FromUnixTimeSeconds(timestamp)).Duration() > Tolerance) return false;
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestampHeader}.{rawBody}"));
        foreach (var entry in signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!entry.StartsWith("v1=", StringComparison.Ordinal)) continue;
            byte[] given;
            try { given = Convert.FromHexString(entry[3..]); }
            catch (FormatException) { continue; }
            if (CryptographicOperations.FixedTimeEquals(given, expected)) return true;
        }
        return false;
    }
}
