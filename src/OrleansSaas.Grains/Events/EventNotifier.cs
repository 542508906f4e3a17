using OrleansSaas.Contracts.Events;
using OrleansSaas.Data.Events;

namespace OrleansSaas.Grains.Events;

/// <summary>
/// After a write appended events, asks the tenant's sequencer to number them (one-way: the write never waits).
/// Pokes are coalesced per tenant and silo: after one is sent, appends within <see cref="Interval"/> only mark the
/// tenant, and a single poke follows them, so a busy tenant costs its sequencer a few calls a second rather than
/// one per write. Every append is still followed by a poke sent after its commit.
/// </summary>
public sealed class EventNotifier(IGrainFactory grains)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(5);
    // Tenants with a poke loop running; true when events were appended since its last poke.
    private readonly Dictionary<string, bool> _poking = new(StringComparer.Ordinal);

    public void Appended(string tenantId, AppendedEvents appended)
    {
        if (appended.Count == 0) return;
        lock (_poking)
        {
            if (_poking.TryAdd(tenantId, false))
            {
                // Off the caller's grain: the loop outlives the call that started it.
                _ = Task.Run(() => PokeAsync(tenantId));
                return;
            }
            _poking[tenantId] = true;
        }
    }

    private async Task PokeAsync(string tenantId)
    {
        while (true)
        {
            _ = grains.GetGrain<IEventSequencerGrain>(tenantId).Poke();
            await Task.Delay(Interval);
            lock (_poking)
            {
                if (!_poking[tenantId])
                {
                    _poking.Remove(tenantId);
                    return;
                }
                _poking[tenantId] = false;
            }
        }
    }
}
