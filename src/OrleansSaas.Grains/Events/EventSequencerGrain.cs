using Microsoft.Extensions.Logging;
using OrleansSaas.Contracts.Events;
using OrleansSaas.Contracts.Sessions;
using OrleansSaas.Contracts.Webhooks;
using OrleansSaas.Data.Events;

namespace OrleansSaas.Grains.Events;

/// <summary>
/// Numbers a tenant's events. Writers append events with their changes and poke this grain; it numbers
/// whatever is unnumbered in one transaction per batch, so under load one commit covers many events
/// instead of every writer queueing on the tenant's counter. Nothing lives only here: a poke lost with a
/// silo is made good by <see cref="EventSweeper"/>.
/// </summary>
public sealed class EventSequencerGrain(EventStore events, ILogger<EventSequencerGrain> logger) : Grain, IEventSequencerGrain
{
    private const int Batch = 1000;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private bool _running;
    private bool _poked;
    private IGrainTimer? _retry;

    private string TenantId => this.GetPrimaryKeyString();

    public Task Poke()
    {
        _poked = true;
        if (!_running) _ = NumberAsync();
        return Task.CompletedTask;
    }

    private async Task NumberAsync()
    {
        _running = true;
        try
        {
            while (_poked)
            {
                _poked = false;
                NumberedEvents numbered;
                do
                {
                    numbered = await events.NumberAsync(TenantId, Batch);
                    foreach (var subscription in numbered.Subscriptions)
                        _ = GrainFactory.GetGrain<IWebhookGrain>(SessionKey.Format(TenantId, subscription)).Poke();
                } while (numbered.Count == Batch);
            }
        }
        catch (Exception error)
        {
            logger.LogWarning(error, "Numbering events of tenant {TenantId} failed; retrying", TenantId);
            _retry?.Dispose();
            _retry = this.RegisterGrainTimer(Poke, RetryDelay, Timeout.InfiniteTimeSpan);
        }
        finally
        {
            _running = false;
        }
    }
}
