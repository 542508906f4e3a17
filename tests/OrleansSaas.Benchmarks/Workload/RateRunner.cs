using System.Diagnostics;

namespace OrleansSaas.Benchmarks.Workload;

/// <summary>
/// Issues calls number 0, 1, 2, … at a target rate with at most <c>concurrency</c> in flight. Call i is due
/// at i/rate seconds after the start; when every worker is busy, calls start late and the achieved rate shows
/// it. A rate of 0 means as fast as the workers go (closed loop, for maximum throughput).
/// </summary>
public static class RateRunner
{
    /// <returns>How long the whole run took.</returns>
    public static async Task<TimeSpan> RunAsync(long count, double rate, int concurrency, Func<long, Task> call, CancellationToken stop)
    {
        var next = -1L;
        var started = Stopwatch.GetTimestamp();
        async Task WorkerAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                var index = Interlocked.Increment(ref next);
                if (index >= count) return;
                if (rate > 0)
                {
                    var wait = TimeSpan.FromSeconds(index / rate) - Stopwatch.GetElapsedTime(started);
                    if (wait > TimeSpan.Zero)
                    {
                        try { await Task.Delay(wait, stop); }
                        catch (OperationCanceledException) { return; }
                    }
                }
                await call(index);
            }
        }
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(WorkerAsync)));
        return Stopwatch.GetElapsedTime(started);
    }
}
