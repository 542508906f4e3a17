using Orleans.Concurrency;

namespace OrleansSaas.Contracts.Events;

/// <summary>
/// Numbers one tenant's new events (key: tenant id) in batches, one transaction each, and hands them to
/// the tenant's webhook subscriptions. Writers never wait for it: they poke it after their commit.
/// </summary>
[Alias("event-sequencer")]
public interface IEventSequencerGrain : IGrainWithStringKey
{
    /// <summary>New events were written (or may have been): number them.</summary>
    [OneWay, Alias("poke")]
    Task Poke();
}
