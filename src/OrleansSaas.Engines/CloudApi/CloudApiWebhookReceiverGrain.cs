using System.Security.Cryptography;
using System.Text;
using Orleans.Concurrency;
using OrleansSaas.Contracts.CloudApi;

namespace OrleansSaas.Engines.CloudApi;

/// <summary>
/// Meta's side of a session's webhook: the verify handshake, and each event POST checked against the app
/// secret (HMAC-SHA256 over the exact bytes, compared in constant time) and stored before the caller answers 200.
/// </summary>
[StatelessWorker]
public sealed class CloudApiWebhookReceiverGrain(CloudApiWebhookStore hooks, IEngineStateStore states) : Grain, ICloudApiWebhookReceiverGrain
{
    public async Task<string?> Verify(string hookId, string? mode, string? verifyToken, string? challenge)
    {
        if (mode != "subscribe" || verifyToken is null || challenge is null) return null;
        if (await AccountAsync(hookId) is not var (_, account)) return null;
        return FixedTimeEquals(Encoding.UTF8.GetBytes(verifyToken), Encoding.UTF8.GetBytes(account.VerifyToken)) ? challenge : null;
    }

    public async Task<WebhookIntake> Receive(string hookId, byte[] body, string? signature)
    {
        if (await AccountAsync(hookId) is not var (sessionKey, account)) return WebhookIntake.UnknownHook;
        if (!SignatureMatches(body, signature, account.AppSecret)) return WebhookIntake.BadSignature;
        await hooks.InsertAsync(sessionKey, body);
        await GrainFactory.GetGrain<ICloudApiInboxGrain>(sessionKey).Poke();
        return WebhookIntake.Stored;
    }

    private async Task<(string SessionKey, CloudApiAccount Account)?> AccountAsync(string hookId)
    {
        if (await hooks.FindSessionAsync(hookId) is not { } sessionKey) return null;
        return await states.LoadAsync(sessionKey) is { } json ? (sessionKey, CloudApiAccount.FromJson(json)) : null;
    }

    /// <summary>The header is "sha256=" and the hex HMAC of the raw body with the app secret.</summary>
    public static bool SignatureMatches(byte[] body, string? header, string appSecret)
    {
        const string Prefix = "sha256=";
        if (header is null || !header.StartsWith(Prefix, StringComparison.Ordinal) || header.Length != Prefix.Length + 64) return false;
        byte[] given;
        try
        {
            given = Convert.FromHexString(header.AsSpan(Prefix.Length));
        }
        catch (FormatException)
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(given, HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), body));
    }

    // Hashing first makes the comparison independent of the lengths too.
    private static bool FixedTimeEquals(byte[] a, byte[] b) => CryptographicOperations.FixedTimeEquals(SHA256.HashData(a), SHA256.HashData(b));
}
