using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSaas.Contracts.CloudApi;
using OrleansSaas.Contracts.Sessions;

namespace OrleansSaas.Engines.CloudApi;

/// <summary>
/// Works through one session's stored webhooks in arrival order and hands their contents to the session.
/// A row is removed only once all of it is recorded; what cannot be recorded yet (the session is
/// reconnecting, a status names a message whose send reply is not recorded yet) waits and is tried again.
/// Everything it does is idempotent, so a row processed twice (after a crash) changes nothing more.
/// </summary>
public sealed class CloudApiInboxGrain(
    CloudApiWebhookStore hooks,
    IEngineStateStore states,
    IOptions<CloudApiOptions> options,
    ILogger<CloudApiInboxGrain> logger) : Grain, ICloudApiInboxGrain
{
    private const int Batch = 50;
    private bool _running;
    private bool _poked;
    private int _failures;
    private IGrainTimer? _retry;

    private string Key => this.GetPrimaryKeyString();
    private ISessionEngineEvents Session => GrainFactory.GetGrain<ISessionEngineEvents>(Key);

    public Task Poke()
    {
        _poked = true;
        if (!_running) _ = DrainAsync();
        return Task.CompletedTask;
    }

    private async Task DrainAsync()
    {
        _running = true;
        try
        {
            while (_poked)
            {
                _poked = false;
                if (await states.LoadAsync(Key) is not { } json) return; // the session is gone
                var phoneNumberId = CloudApiAccount.FromJson(json).PhoneNumberId;
                var after = 0L;
                IReadOnlyList<StoredWebhook> rows;
                do
                {
                    rows = await hooks.ListPendingAsync(Key, after, Batch);
                    foreach (var row in rows)
                    {
                        if (!await ProcessAsync(row, phoneNumberId))
                        {
                            RetryLater();
                            return;
                        }
                        await hooks.DeleteAsync(row.Id);
                        after = row.Id;
                    }
                } while (rows.Count == Batch);
                _failures = 0;
            }
        }
        catch (Exception error)
        {
            logger.LogWarning(error, "Inbound webhooks of session {SessionKey} stopped; retrying", Key);
            RetryLater();
        }
        finally
        {
            _running = false;
        }
    }

    /// <summary>False when part of the row could not be recorded yet.</summary>
    private async Task<bool> ProcessAsync(StoredWebhook row, string phoneNumberId)
    {
        if (CloudApiWebhookParser.Parse(row.Body, phoneNumberId) is not { } contents)
        {
            logger.LogWarning("Session {SessionKey}: dropped a signed webhook that is not a webhook envelope", Key);
            return true;
        }
        foreach (var notice in contents.OtherFields)
        {
            // Recorded as the session's session.error event (code = the field), so clients see what Meta said about the account.
            await Session.OnEngineError(notice.Field, notice.Value);
            if (notice.AccountDisabled)
                await Session.OnConnectionChanged(new ConnectionChange(ConnectionState.Banned, "banned", "Meta disabled the WhatsApp Business Account (account_update)."));
        }
        foreach (var message in contents.Messages)
            if (!await Session.OnInbound(message)) return false;
        var patient = row.ReceivedAt + options.Value.UnknownStatusPatience > DateTimeOffset.UtcNow;
        foreach (var status in contents.Statuses)
            if (!await Session.OnDeliveryReport(status) && patient) return false;
        foreach (var (code, message) in contents.Errors)
            await Session.OnEngineError(code, message);
        return true;
    }

    private void RetryLater()
    {
        _failures++;
        var delay = TimeSpan.FromMilliseconds(Math.Min(30_000, 250 * Math.Pow(2, Math.Min(_failures - 1, 7))));
        _retry?.Dispose();
        _retry = this.RegisterGrainTimer(() => Poke(), delay, Timeout.InfiniteTimeSpan);
    }
}
