using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSaas.Contracts.Sessions;
using OrleansSaas.Contracts.Webhooks;
using OrleansSaas.Data;
using OrleansSaas.Data.Events;
using OrleansSaas.Data.Webhooks;
using OrleansSaas.Grains.Sessions;
using OrleansSaas.Observability;

namespace OrleansSaas.Grains.Webhooks;

/// <summary>
/// One webhook subscription. Its row is its state; its deliveries are rows too, so nothing is held only
/// in memory: a grain lost with its silo is woken again by <see cref="WebhookSweeper"/> and carries on.
/// Delivery runs in the background between calls: each session's events go out strictly in order, one
/// session's failing event holds back only that session, and sessions proceed in parallel.
/// </summary>
public sealed class WebhookGrain(
    WebhookStore store,
    WebhookSender sender,
    WebhookRetryPolicy policy,
    CredentialProtector protector,
    TimeProvider clock,
    IOptions<WebhookOptions> options,
    ILogger<WebhookGrain> logger) : Grain, IWebhookGrain
{
    private WebhookRow? _row;
    private bool _running;
    private bool _poked;
    private IGrainTimer? _wake;

    private string Key => this.GetPrimaryKeyString();
    private string TenantId => SessionKey.Parse(Key).TenantId;
    private string Id => SessionKey.Parse(Key).SessionId;
    private WebhookOptions Options => options.Value;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _row = await store.GetAsync(TenantId, Id);
        if (_row is { Active: true }) StartDelivering();
    }

    public async Task<WebhookReply> Create(WebhookSpec spec)
    {
        if (_row is not null) return new WebhookReply(View(_row), null);
        var secret = WebhookSignature.NewSecret();
        var now = DbTime.Now();
        var row = new WebhookRow(TenantId, Id, spec.Url, spec.Description, spec.SessionIds, spec.EventTypes,
            protector.Protect(Key, secret), null, null, Active: true, null, now, now);
        await store.InsertAsync(row);
        _row = row;
        return new WebhookReply(View(row), secret);
    }

    public Task<WebhookView?> Get()
    {
        if (_row is null) DeactivateOnIdle();
        return Task.FromResult(_row is null ? null : View(_row));
    }

    public async Task<WebhookReply> Update(WebhookChange change)
    {
        if (_row is null) return new WebhookReply(null, null);
        var reactivated = change.Active == true && !_row.Active;
        var row = _row with
        {
            Url = change.Url ?? _row.Url,
            Description = change.Description ?? _row.Description,
            SessionIds = change.ClearSessionIds ? null : change.SessionIds ?? _row.SessionIds,
            EventTypes = change.ClearEventTypes ? null : change.EventTypes ?? _row.EventTypes,
            Active = change.Active ?? _row.Active,
            DisabledReason = change.Active switch { true => null, false => "disabled by the tenant", null => _row.DisabledReason },
            UpdatedAt = DbTime.Now(),
        };
        await store.UpdateAsync(row);
        _row = row;
        if (reactivated) StartDelivering();
        return new WebhookReply(View(row), null);
    }

    public async Task<bool> Delete()
    {
        if (_row is null) return false;
        await store.DeleteAsync(TenantId, Id);
        _row = null;
        StopWaking();
        DeactivateOnIdle();
        return true;
    }

    public async Task<WebhookReply> RotateSecret(TimeSpan overlap)
    {
        if (_row is null) return new WebhookReply(null, null);
        var secret = WebhookSignature.NewSecret();
        var now = DbTime.Now();
        var row = _row with
        {
            Secret = protector.Protect(Key, secret),
            PreviousSecret = overlap > TimeSpan.Zero ? _row.Secret : null,
            PreviousExpiresAt = overlap > TimeSpan.Zero ? now + overlap : null,
            UpdatedAt = now,
        };
        await store.UpdateAsync(row);
        _row = row;
        return new WebhookReply(View(row), secret);
    }

    public async Task<WebhookPingResult?> Ping()
    {
        if (_row is null) return null;
        var now = clock.GetUtcNow();
        var ping = new StoredEvent(0, $"evt_ping_{Guid.CreateVersion7():N}", "webhook.ping", "", now,
            JsonSerializer.Serialize(new { webhookId = Id }));
        var response = await sender.PostAsync(_row.Url, Secrets(_row), ping.Id, ping.Type, EventEnvelope.Write(ping));
        return new WebhookPingResult(response.StatusCode is >= 200 and < 300, response.StatusCode, response.LatencyMilliseconds, response.Error);
    }

    public async Task<int?> Replay(long fromSeq, long toSeq)
    {
        if (_row is null) return null;
        var queued = await store.ReplayAsync(TenantId, Id, fromSeq, toSeq);
        if (queued > 0) StartDelivering();
        return queued;
    }

    public Task Poke()
    {
        if (_row is { Active: true }) StartDelivering();
        return Task.CompletedTask;
    }

    // ---- delivery ----

    /// <summary>Starts a pass unless one is running, which then reads once more before it stops.</summary>
    private void StartDelivering()
    {
        _poked = true;
        if (!_running) _ = DeliverAsync();
    }

    private async Task DeliverAsync()
    {
        _running = true;
        try
        {
            while (_poked && _row is { Active: true })
            {
                _poked = false;
                var heads = await store.ListPendingAsync(TenantId, Id, Options.Concurrency, Options.BatchPerSession);
                var now = clock.GetUtcNow();
                var due = heads.Where(session => session[0].NextAttemptAt <= now).ToList();
                if (due.Count > 0)
                {
                    await Task.WhenAll(due.Select(DeliverSessionAsync));
                    _poked = true; // there may be more behind what this pass read
                }
                else if (!_poked)
                {
                    WakeAt(heads.Count == 0 ? null : heads.Min(session => session[0].NextAttemptAt));
                }
            }
        }
        catch (Exception error)
        {
            logger.LogWarning(error, "Webhook {WebhookId} of tenant {TenantId}: delivery pass failed; retrying", Id, TenantId);
            WakeAt(clock.GetUtcNow() + Options.InitialBackoff);
        }
        finally
        {
            _running = false;
        }
    }

    /// <summary>
    /// One session's pending events in order, stopping at the first that must wait. A run of successes is
    /// recorded in one statement when the run ends; should the silo die before that, those events go out
    /// again (receivers deduplicate on the event id, which the README asks of them anyway).
    /// </summary>
    private async Task DeliverSessionAsync(IReadOnlyList<PendingDelivery> pending)
    {
        var delivered = new List<(long Seq, AttemptOutcome Outcome)>();
        try
        {
            foreach (var delivery in pending)
            {
                var row = _row;
                if (row is not { Active: true } || delivery.NextAttemptAt > clock.GetUtcNow()) return;
                var stored = delivery.Event;
                var response = await sender.PostAsync(row.Url, Secrets(row), stored.Id, stored.Type, EventEnvelope.Write(stored));
                Telemetry.WebhookAttempt(response.LatencyMilliseconds, response.StatusCode is >= 200 and < 300, response.StatusCode);
                var now = clock.GetUtcNow();
                var decision = policy.Decide(response, delivery.Attempts, delivery.RetryFrom, now);
                var outcome = new AttemptOutcome(decision.State, now, decision.NextAttemptAt, response.StatusCode, response.LatencyMilliseconds, response.Error);
                if (decision.State == DeliveryState.Delivered)
                {
                    delivered.Add((stored.Seq, outcome));
                    continue;
                }
                await store.RecordAttemptAsync(TenantId, Id, stored.Seq, outcome);
                if (decision.DisableSubscription) await DisableAsync("the receiver answered 410 Gone");
                if (decision.State == DeliveryState.Pending) return;
            }
        }
        finally
        {
            await store.RecordDeliveredAsync(TenantId, Id, delivered);
        }
    }

    private async Task DisableAsync(string reason)
    {
        if (_row is not { Active: true }) return;
        logger.LogWarning("Webhook {WebhookId} of tenant {TenantId} disabled: {Reason}", Id, TenantId, reason);
        _row = _row with { Active = false, DisabledReason = reason, UpdatedAt = DbTime.Now() };
        await store.UpdateAsync(_row);
    }

    /// <summary>The next pass, when the soonest retry is due. The timer does not keep the grain alive: an idle grain may go, and the sweep wakes it.</summary>
    private void WakeAt(DateTimeOffset? at)
    {
        StopWaking();
        if (at is not { } due) return;
        var delay = due - clock.GetUtcNow();
        _wake = this.RegisterGrainTimer(() =>
        {
            StartDelivering();
            return Task.CompletedTask;
        }, delay > TimeSpan.Zero ? delay : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    private void StopWaking()
    {
        _wake?.Dispose();
        _wake = null;
    }

    /// <summary>The current secret, and during a rotation's overlap the previous one too.</summary>
    private List<string> Secrets(WebhookRow row)
    {
        var secrets = new List<string> { protector.Unprotect(Key, row.Secret) };
        if (row.PreviousSecret is { } previous && row.PreviousExpiresAt > clock.GetUtcNow())
            secrets.Add(protector.Unprotect(Key, previous));
        return secrets;
    }

    private WebhookView View(WebhookRow row) => row.ToView(clock.GetUtcNow());
}
