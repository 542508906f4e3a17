namespace OrleansSaas.Grains.Quotas;

/// <summary>Allows bursts up to a capacity and a steady rate after that. Not thread-safe: owned by one grain.</summary>
public sealed class TokenBucket(double initialTokens, TimeProvider clock)
{
    private double _tokens = initialTokens;
    private DateTimeOffset _refilledAt = clock.GetUtcNow();

    /// <summary>Takes a token; null when one was available, else the wait until the next one.</summary>
    /// <remarks>The limits come with each call, so a changed plan applies from the next request on.</remarks>
    public TimeSpan? TryTake(double capacity, double perSecond)
    {
        var now = clock.GetUtcNow();
        _tokens = Math.Min(capacity, _tokens + (now - _refilledAt).TotalSeconds * perSecond);
        _refilledAt = now;
        if (_tokens >= 1)
        {
            _tokens -= 1;
            return null;
        }
        return TimeSpan.FromSeconds((1 - _tokens) / perSecond);
    }
}
