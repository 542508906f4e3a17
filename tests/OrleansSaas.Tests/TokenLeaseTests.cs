using OrleansSaas.Contracts.Quotas;
using OrleansSaas.Grains.Quotas;

namespace OrleansSaas.Tests;

/// <summary>
/// Gateways and silos take a bucket's tokens in batches instead of a grain call each; the limit must stay the
/// bucket's: never more let through, unused tokens given back, refusals answered without asking again.
/// </summary>
public sealed class TokenLeaseTests
{
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>Stands in for the bucket's grain: the real bucket, answering asynchronously, counting the calls.</summary>
    private sealed class BucketGrain(TokenBucket bucket, double capacity, double perSecond)
    {
        public int Calls;
        public readonly List<(int Wanted, int Returned)> Requests = [];

        public async Task<TokenGrant> Lease(int wanted, int returned)
        {
            await Task.Yield();
            lock (Requests)
            {
                Calls++;
                Requests.Add((wanted, returned));
                return bucket.Lease(wanted, returned, capacity, perSecond);
            }
        }
    }

    [Fact]
    public async Task Concurrent_takes_never_get_more_than_the_bucket_holds_and_batches_save_grain_calls()
    {
        var clock = new ManualClock();
        var grain = new BucketGrain(new TokenBucket(300, clock), capacity: 300, perSecond: 1000);
        var lease = new TokenLease(clock);

        var results = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => Task.Run(async () => await lease.TryTakeAsync(grain.Lease))));

        Assert.Equal(300, results.Count(r => r is null));
        Assert.All(results.Where(r => r is not null), r => Assert.True(r > TimeSpan.Zero));
        Assert.True(grain.Calls < 50, $"{grain.Calls} grain calls for 300 tokens");
    }

    [Fact]
    public async Task Tokens_left_when_a_lease_expires_go_back_to_the_bucket()
    {
        var clock = new ManualClock();
        var grain = new BucketGrain(new TokenBucket(100, clock), capacity: 100, perSecond: 1000);
        var lease = new TokenLease(clock);
        await lease.TryTakeAsync(grain.Lease);  // learns the rate: the next batch is a tenth of a second of it
        clock.Now += TimeSpan.FromSeconds(2);
        Assert.Null(await lease.TryTakeAsync(grain.Lease));
        Assert.Null(await lease.TryTakeAsync(grain.Lease));

        clock.Now += TimeSpan.FromSeconds(2);
        Assert.Null(await lease.TryTakeAsync(grain.Lease));

        Assert.Equal((100, 98), grain.Requests[^1]); // batch of 100, 2 used, 98 handed back
    }

    [Fact]
    public async Task An_empty_bucket_is_not_asked_again_before_its_retry_time()
    {
        var clock = new ManualClock();
        var grain = new BucketGrain(new TokenBucket(1, clock), capacity: 1, perSecond: 0.5);
        var lease = new TokenLease(clock);
        Assert.Null(await lease.TryTakeAsync(grain.Lease));

        var refused = await lease.TryTakeAsync(grain.Lease);
        for (var i = 0; i < 20; i++) Assert.NotNull(await lease.TryTakeAsync(grain.Lease));

        Assert.Equal(TimeSpan.FromSeconds(2), refused);
        Assert.Equal(2, grain.Calls);
        clock.Now += TimeSpan.FromSeconds(2);
        Assert.Null(await lease.TryTakeAsync(grain.Lease));
    }
}
