using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using OrleansSaas.Gateway.Quotas;

namespace OrleansSaas.Gateway.Auth;

/// <summary>
/// Backs off callers that keep presenting wrong keys, before their guesses reach a key's grain: each client
/// address, and each key id, may fail <see cref="RequestRateOptions.FailedAuthBurst"/> times, then once per
/// 1/<see cref="RequestRateOptions.FailedAuthPerSecond"/> s (429 with Retry-After). The key's holder is not locked
/// out by someone else's guesses: a secret that has authenticated on this gateway is never held back, and a
/// client is only held back for its own failures or for guesses at that key id.
/// </summary>
public sealed class AuthFailureThrottle(IMemoryCache cache, IOptions<RequestRateOptions> options)
{
    private static readonly TimeSpan ForgetAfter = TimeSpan.FromMinutes(10);

    private sealed class Bucket
    {
        public double Failures;
        public DateTimeOffset UpdatedAt = DateTimeOffset.UtcNow;
    }

    /// <summary>How long this request must wait, or null when it may try.</summary>
    public TimeSpan? RetryAfter(IPAddress? client, PresentedApiKey? key)
    {
        if (key is not null && IsKnownGood(key)) return null;
        var byClient = Wait(ClientKey(client));
        var byKey = key is null ? null : Wait(KeyIdKey(key.KeyId));
        return new[] { byClient, byKey }.Max();
    }

    public void RecordFailure(IPAddress? client, string? keyId)
    {
        Add(ClientKey(client));
        if (keyId is not null) Add(KeyIdKey(keyId));
    }

    public void RecordSuccess(PresentedApiKey key) =>
        cache.Set(GoodKey(key.KeyId), key.SecretHash, new MemoryCacheEntryOptions { SlidingExpiration = ForgetAfter });

    private bool IsKnownGood(PresentedApiKey key) =>
        cache.TryGetValue(GoodKey(key.KeyId), out byte[]? good) && CryptographicOperations.FixedTimeEquals(good, key.SecretHash);

    private TimeSpan? Wait(string name)
    {
        if (!cache.TryGetValue(name, out Bucket? bucket)) return null;
        lock (bucket!)
        {
            var over = Drain(bucket) - (options.Value.FailedAuthBurst - 1);
            return over > 0 ? TimeSpan.FromSeconds(over / options.Value.FailedAuthPerSecond) : null;
        }
    }

    private void Add(string name)
    {
        var bucket = cache.GetOrCreate(name, entry =>
        {
            entry.SlidingExpiration = ForgetAfter;
            return new Bucket();
        })!;
        lock (bucket)
        {
            bucket.Failures = Drain(bucket) + 1;
        }
    }

    // Failures leak away at the steady rate.
    private double Drain(Bucket bucket)
    {
        var now = DateTimeOffset.UtcNow;
        bucket.Failures = Math.Max(0, bucket.Failures - (now - bucket.UpdatedAt).TotalSeconds * options.Value.FailedAuthPerSecond);
        bucket.UpdatedAt = now;
        return bucket.Failures;
    }

    private static string ClientKey(IPAddress? client) => $"authfail:client:{client}";
    private static string KeyIdKey(string keyId) => $"authfail:key:{keyId}";
    private static string GoodKey(string keyId) => $"authgood:{keyId}";
}
