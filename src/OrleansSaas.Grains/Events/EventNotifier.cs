using OrleansSaas.Contracts.Events;
using OrleansSaas.Data.Events;

namespace OrleansSaas.Grains.Events;

/// <summary>After a write appended events, asks the tenant's sequencer to number them (one-way: the write never waits).</summary>
public sealed class EventNotifier(IGrainFactory grains)
{
    public void Appended(string tenantId, AppendedEvents appended)
    {
        if (appended.Count > 0) _ = grains.GetGrain<IEventSequencerGrain>(tenantId).Poke();
    }
}
