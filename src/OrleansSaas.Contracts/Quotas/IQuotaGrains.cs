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

    /// <summary>Counts one message against the plan's messages per minute; null when allowed, else how long until it would be.</summary>
    [Alias("consume-message")]
    Task<TimeSpan?> TryConsumeMessage();
}

/// <summary>A token bucket shared by every gateway (key: what is limited, e.g. an API key id).</summary>
[Alias("rate-limiter")]
public interface IRateLimiterGrain : IGrainWithStringKey
{
    /// <summary>
    /// Null when a request may go ahead, else how long until one may. Asked on every request, so a caller gives up
    /// after a few seconds (503 with Retry-After) rather than hold every request of the key while its silo dies.
    /// </summary>
    [Alias("try-acquire"), ResponseTimeout("00:00:03")]
    Task<TimeSpan?> TryAcquire(double perSecond, int burst);
}
