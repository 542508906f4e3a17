using System.Security.Cryptography;
using System.Text;

namespace OrleansSaas.Engines.Simulated;

/// <summary>
/// Simulated QR payloads and pairing codes. QR payloads keep WhatsApp's "2@ref,..." shape and carry the session key, so the simulated
/// phone knows which linked device to pair with; the random ref makes each code single-use.
/// </summary>
public static class SimulatedQr
{
    public static string Create(string sessionKey)
    {
        var reference = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var session = Convert.ToBase64String(Encoding.UTF8.GetBytes(sessionKey));
        return $"2@{reference},{session},sim";
    }

    // WhatsApp's codes are 8 characters; letters and digits that cannot be misread for one another.
    private const string CodeAlphabet = "ABCDEFGHJKLMNPQRSTVWXYZ23456789";

    public static string CreatePairingCode()
    {
        var code = RandomNumberGenerator.GetString(CodeAlphabet, 8);
        return $"{code[..4]}-{code[4..]}";
    }

    public static bool TryReadSessionKey(string qrValue, out string sessionKey)
    {
        sessionKey = "";
        if (!qrValue.StartsWith("2@", StringComparison.Ordinal)) return false;
        var parts = qrValue[2..].Split(',');
        if (parts.Length != 3 || parts[2] != "sim") return false;
        try
        {
            sessionKey = Encoding.UTF8.GetString(Convert.FromBase64String(parts[1]));
            return sessionKey.Length > 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
