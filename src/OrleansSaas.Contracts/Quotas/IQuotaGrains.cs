namespace OrleansSaas.Contracts.Quotas;

/// <summary>
/// A tenant's plan limits, enforced in one place for the whole cluster (key: tenant id): the grain has a
/// single activation, so every gateway and silo counts against the same numbers.
/// </summary>
[Alias("tenant-quota")]
public interface ITenantQuotaGrain : IGrainWithStringKey
{
    /// <summary>Takes one of the plan's session slots for this session; false when the plan is full.</summary>
    [Alias("reserve-session")]
    Task<bool> TryReserveSession(string sessionId);

    [Alias("release-session")]
    Task ReleaseSession(string sessionId);

    /// <summary>Up to <paramref name="wanted"/> messages of the plan's messages per minute, for a silo's <see cref="TokenLease"/>.</summary>
    [Alias("lease-messages")]
    Task<TokenGrant> LeaseMessages(int wanted, int returned);
}

/// <summary>A token bucket shared by every gateway (key: what is limited, e.g. an API key id).</summary>
[Alias("rate-limiter")]
public interface IRateLimiterGrain : IGrainWithStringKey
{
    /// <summary>
    /// Up to <paramref name="wanted"/> requests' worth of tokens, for a gateway's <see cref="TokenLease"/>. A request
    /// may wait for it, so a caller gives up after a few seconds (503 with Retry-After) rather than hold every
    /// request of the key while its silo dies.
    /// </summary>
    [Alias("lease"), ResponseTimeout("00:00:03")]
    Task<TokenGrant> Lease(double perSecond, int burst, int wanted, int returned);
}
