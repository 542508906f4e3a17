using OrleansSaas.Contracts.Quotas;

namespace OrleansSaas.Grains.Quotas;

/// <summary>In memory on purpose: a rate limit that restarts full after a failover errs towards serving the client.</summary>
public sealed class RateLimiterGrain(TimeProvider clock) : Grain, IRateLimiterGrain
{
    private TokenBucket? _bucket;

    public Task<TimeSpan?> TryAcquire(double perSecond, int burst)
    {
        _bucket ??= new TokenBucket(burst, clock);
        return Task.FromResult(_bucket.TryTake(burst, perSecond));
    }
}
