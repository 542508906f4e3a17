using OrleansSaas.Contracts.Quotas;

namespace OrleansSaas.Grains.Quotas;

/// <summary>Allows bursts up to a capacity and a steady rate after that. Not thread-safe: owned by one grain.</summary>
public sealed class TokenBucket(double initialTokens, TimeProvider clock)
{
    private double _tokens = initialTokens;
    private DateTimeOffset _refilledAt = clock.GetUtcNow();

    /// <summary>Takes up to <paramref name="wanted"/> tokens, after adding back <paramref name="returned"/> a caller did not use.</summary>
    /// <remarks>The limits come with each call, so a changed plan applies from the next lease on.</remarks>
    public TokenGrant Lease(int wanted, int returned, double capacity, double perSecond)
    {
        var now = clock.GetUtcNow();
        _tokens = Math.Min(capacity, _tokens + (now - _refilledAt).TotalSeconds * perSecond + Math.Max(0, returned));
        _refilledAt = now;
        var count = (int)Math.Min(Math.Max(1, wanted), Math.Floor(_tokens));
        if (count >= 1)
        {
            _tokens -= count;
            return new TokenGrant(count, TimeSpan.Zero, perSecond);
        }
        return new TokenGrant(0, TimeSpan.FromSeconds((1 - _tokens) / perSecond), perSecond);
    }
}
