using OrleansSaas.Benchmarks.Client;

namespace OrleansSaas.Benchmarks.Workload;

/// <summary>
/// What a load balancer in front of several gateways does: it probes each one's /health/ready a few times a
/// second and sends each request, round robin, to one that answered ready (to any when none does).
/// A gateway that is shutting down reports not ready first, so it stops getting new requests before it stops.
/// </summary>
public sealed class GatewayBalancer : IAsyncDisposable
{
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(250);
    private readonly IReadOnlyList<(GatewayApi Api, HttpClient Probe)> _gateways;
    private readonly bool[] _ready;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _probing;
    private long _next;

    public GatewayBalancer(IReadOnlyList<(GatewayApi Api, Uri Url)> gateways)
    {
        _gateways = gateways.Select(g => (g.Api, new HttpClient { BaseAddress = g.Url, Timeout = TimeSpan.FromSeconds(2) })).ToList();
        _ready = _gateways.Select(_ => true).ToArray();
        _probing = ProbeAsync();
    }

    /// <summary>The gateway for the next request.</summary>
    public GatewayApi Next()
    {
        var turn = Interlocked.Increment(ref _next);
        for (var i = 0; i < _gateways.Count; i++)
        {
            var candidate = (int)((turn + i) % _gateways.Count);
            if (Volatile.Read(ref _ready[candidate])) return _gateways[candidate].Api;
        }
        return _gateways[(int)(turn % _gateways.Count)].Api;
    }

    private async Task ProbeAsync()
    {
        using var timer = new PeriodicTimer(ProbeInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
                await Task.WhenAll(_gateways.Select(async (gateway, index) => Volatile.Write(ref _ready[index], await IsReadyAsync(gateway.Probe))));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<bool> IsReadyAsync(HttpClient probe)
    {
        try
        {
            using var response = await probe.GetAsync("/health/ready", _stop.Token);
            return response.IsSuccessStatusCode;
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _probing;
        foreach (var (_, probe) in _gateways) probe.Dispose();
        _stop.Dispose();
    }
}
