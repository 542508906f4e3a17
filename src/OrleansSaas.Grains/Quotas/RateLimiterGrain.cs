using OrleansSaas.Contracts.Quotas;

namespace OrleansSaas.Grains.Quotas;

/// <summary>In memory on purpose: a rate limit that restarts full after a failover errs towards serving the client.</summary>
public sealed class RateLimiterGrain(TimeProvider clock) : Grain, IRateLimiterGrain
{
    private TokenBucket? _bucket;

    public Task<TokenGrant> Lease(double perSecond, int burst, int wanted, int returned)
    {
        _bucket ??= new TokenBucket(burst, clock);
        return Task.FromResult(_bucket.Lease(wanted, returned, burst, perSecond));
    }
}
