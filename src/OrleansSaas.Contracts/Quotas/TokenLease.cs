using System.Collections.Concurrent;

namespace OrleansSaas.Contracts.Quotas;

/// <summary>
/// Takes tokens from a bucket's grain a batch at a time and hands them out one by one, so a request or a message
/// costs a grain call only once per batch instead of every time. A batch is a tenth of a second of the bucket's
/// rate and is kept for one second at most; what is left then goes back with the next request, so leases never
/// let more through than the bucket allows, and a silent process holds back at most one batch. An empty bucket's
/// answer (when to retry) is kept until then, so a flood of refused requests costs no grain calls either.
/// Thread-safe: one lease serves every request of its key in this process.
/// </summary>
public sealed class TokenLease(TimeProvider clock)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(100);
    private const int MaxBatch = 100;

    private readonly Lock _gate = new();
    private int _tokens;
    private DateTimeOffset _expiresAt;
    private DateTimeOffset _refusedUntil;
    private double _perSecond = 1;
    private Task? _refill;

    /// <summary>Null when a token was taken, else how long until one may be.</summary>
    /// <param name="lease">Asks the bucket's grain for up to <c>wanted</c> tokens, giving back <c>returned</c> unused ones.</param>
    public async ValueTask<TimeSpan?> TryTakeAsync(Func<int, int, Task<TokenGrant>> lease)
    {
        while (true)
        {
            Task refill;
            TaskCompletionSource? mine = null;
            var returned = 0;
            lock (_gate)
            {
                var now = clock.GetUtcNow();
                if (_tokens > 0 && now < _expiresAt)
                {
                    _tokens--;
                    return null;
                }
                if (now < _refusedUntil) return _refusedUntil - now;
                if (_refill is null)
                {
                    // This caller asks the grain; the others wait for its answer. Expired tokens go back with it.
                    mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    _refill = mine.Task;
                    (returned, _tokens) = (_tokens, 0);
                }
                refill = _refill;
            }
            if (mine is not null) await RefillAsync(lease, returned, mine);
            else await refill;
        }
    }

    private async Task RefillAsync(Func<int, int, Task<TokenGrant>> lease, int returned, TaskCompletionSource done)
    {
        try
        {
            var wanted = (int)Math.Clamp(Math.Ceiling(Volatile.Read(ref _perSecond) * BatchWindow.TotalSeconds), 1, MaxBatch);
            var grant = await lease(wanted, returned);
            lock (_gate)
            {
                var now = clock.GetUtcNow();
                _perSecond = grant.PerSecond;
                if (grant.Count > 0)
                {
                    _tokens += grant.Count;
                    _expiresAt = now + Lifetime;
                }
                else
                {
                    _refusedUntil = now + grant.RetryAfter;
                }
                _refill = null;
            }
            done.SetResult();
        }
        catch
        {
            lock (_gate) _refill = null;
            done.SetResult(); // the callers waiting on this one try themselves
            throw;
        }
    }
}

/// <summary>One <see cref="TokenLease"/> per key (an API key, a tenant) in this process.</summary>
public sealed class TokenLeases(TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, TokenLease> _leases = new(StringComparer.Ordinal);

    public ValueTask<TimeSpan?> TryTakeAsync(string key, Func<int, int, Task<TokenGrant>> lease) =>
        _leases.GetOrAdd(key, static (_, clock) => new TokenLease(clock), clock).TryTakeAsync(lease);
}
