using OrleansSaas.Contracts.Sessions;
using OrleansSaas.Contracts.Webhooks;
using OrleansSaas.Data.Events;

namespace OrleansSaas.Grains.Webhooks;

/// <summary>Tells the subscriptions a write fanned events out to that they have work (one-way: the write never waits on a receiver).</summary>
public sealed class WebhookNotifier(IGrainFactory grains)
{
    public void Notify(string tenantId, EventFanOut fanOut)
    {
        foreach (var subscription in fanOut.Subscriptions)
            _ = grains.GetGrain<IWebhookGrain>(SessionKey.Format(tenantId, subscription)).Poke();
    }
}
