using Microsoft.Extensions.Caching.Memory;
using OrleansSaas.Contracts.Tenants;

namespace OrleansSaas.Gateway.Auth;

/// <summary>The key a request presented (its id and the hash of its secret), kept on the request for later re-checks.</summary>
public sealed record PresentedApiKey(string KeyId, byte[] SecretHash);

/// <summary>
/// What a key grants (tenant, scopes, tenant status), from the key's grain. Answers are cached for
/// <see cref="CacheFor"/> so a busy client does not call the grain per request; that is also the bound on how
/// long a revoked key, or a suspended or deleted tenant's key, keeps working.
/// </summary>
public sealed class ApiKeyVerifier(IClusterClient cluster, IMemoryCache cache)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);

    public bool TryGetCached(PresentedApiKey key, out ApiKeyGrant? grant) => cache.TryGetValue(CacheKey(key), out grant);

    /// <summary>Asks the key's grain (and refreshes the cache).</summary>
    public async Task<ApiKeyGrant?> VerifyAsync(PresentedApiKey key)
    {
        var grant = await cluster.GetGrain<IApiKeyGrain>(key.KeyId).Authenticate(key.SecretHash);
        cache.Set(CacheKey(key), grant, CacheFor);
        return grant;
    }

    private static string CacheKey(PresentedApiKey key) => $"apikey:{key.KeyId}:{Convert.ToHexString(key.SecretHash)}";
}
