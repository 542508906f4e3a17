using Microsoft.Extensions.Logging;
using OrleansSaas.Contracts.Engines;
using OrleansSaas.Contracts.Sessions;
using System.Text.Json;
using OrleansSaas.Data.Events;
using OrleansSaas.Data.Sessions;
using OrleansSaas.Engines;
using OrleansSaas.Grains.Messaging;
using OrleansSaas.Observability;

namespace OrleansSaas.Grains.Sessions;

/// <summary>Pairing, connecting, reconnecting and logging out, and recording each status change with its event.</summary>
public sealed partial class SessionGrain
{
    private async Task StartPairingAsync()
    {
        StopQr();
        State.ShouldBeConnected = true;
        State.PhoneNumber = null;
        State.ProfileName = null;
        State.EncryptedCredentials = null;
        if (Engine.QrFromNetwork)
        {
            // The network sends the QR codes (OnQrUpdated) and ends an unscanned pairing with a connection change.
            _firstQrAt = DateTimeOffset.UtcNow;
            Record(SessionStatus.Pairing);
            await SaveAsync();
            await RegisterBackstopAsync();
            await BeginNetworkPairingAsync();
            return;
        }
        var shown = 0;
        _qr = NextQr(++shown);
        _firstQrAt = DateTimeOffset.UtcNow;
        _qrTimer = this.RegisterGrainTimer(async () =>
        {
            if (shown < Options.MaxQrCodes)
            {
                _qr = NextQr(++shown);
                await QrShownAsync(_qr);
                return;
            }
            StopQr();
            State.ShouldBeConnected = false;
            Record(SessionStatus.Disconnected, "pairing_expired", $"No scan after {Options.MaxQrCodes} QR codes.");
            await SaveAsync();
            await UnregisterBackstopAsync();
        }, Options.QrRotationInterval, Options.QrRotationInterval);
        Record(SessionStatus.Pairing);
        await SaveAsync();
        await QrShownAsync(_qr);
        await RegisterBackstopAsync();
    }

    private async Task BeginNetworkPairingAsync()
    {
        try
        {
            await Engine.BeginPairingAsync(EngineSession);
        }
        catch (Exception error)
        {
            logger.LogWarning(error, "Session {SessionId} could not start pairing; retrying", SessionId);
            await ApplyConnectionAsync(ConnectionChange.Transient("connect_failed"));
        }
    }

    /// <summary>Each QR code is an event, so a client can render it from a webhook or the stream without polling.</summary>
    private async Task QrShownAsync(QrCodeView qr) =>
        events.Appended(TenantId, await eventLog.AppendAsync(TenantId, EventTypes.SessionQr, SessionId, DateTimeOffset.UtcNow,
            JsonSerializer.Serialize(new { sessionId = SessionId, qr = qr.Value, sequence = qr.Sequence, expiresAt = qr.ExpiresAt })));

    private QrCodeView NextQr(int sequence) =>
        new(Engine.CreatePairingQr(EngineSession), sequence, DateTimeOffset.UtcNow + Options.QrRotationInterval);

    private void StopQr()
    {
        _qrTimer?.Dispose();
        _qrTimer = null;
        _qr = null;
        _pairingCode = null;
    }

    private async Task ConnectAsync()
    {
        ConnectionChange change;
        try
        {
            var credentials = State.EncryptedCredentials is { } sealedBox ? protector.Unprotect(Key, sealedBox) : null;
            await ResealCredentialsAsync();
            change = await Engine.ConnectAsync(EngineSession, credentials);
        }
        catch (Exception error)
        {
            logger.LogWarning(error, "Session {SessionId} could not connect; retrying", SessionId);
            change = ConnectionChange.Transient("connect_failed");
        }
        await ApplyConnectionAsync(change);
    }

    // During a credential-key rotation the grain's own state is re-sealed by the grain (the leader re-seals the tables).
    private async Task ResealCredentialsAsync()
    {
        if (State.EncryptedCredentials is not { } sealedBox || protector.Reseal(Key, sealedBox) is not { } resealed) return;
        State.EncryptedCredentials = resealed;
        await session.WriteStateAsync();
    }

    private async Task ApplyConnectionAsync(ConnectionChange change)
    {
        switch (change.State)
        {
            case ConnectionState.Connected:
                StopQr();
                State.PhoneNumber = change.PhoneNumber ?? State.PhoneNumber;
                State.ProfileName = change.ProfileName ?? State.ProfileName;
                await ConnectedAsync();
                break;
            case ConnectionState.LoggedOut:
                await LoggedOutAsync(change.Reason ?? "logged_out");
                break;
            case ConnectionState.Disconnected when change.RetryLater:
                if (State.Status != SessionStatus.Disconnected)
                {
                    Record(SessionStatus.Disconnected, change.Reason ?? "connect_failed", change.Details);
                    await SaveAsync();
                }
                RetryLater(Options.RetryDelay);
                break;
            default:
                // Waits for the user (new credentials, a start): neither failover nor the backstop retries it.
                CancelRetry();
                State.ShouldBeConnected = false;
                Record(SessionStatus.Disconnected, change.State == ConnectionState.Banned ? "banned" : change.Reason ?? "disconnected", change.Details);
                await SaveAsync();
                await UnregisterBackstopAsync();
                break;
        }
    }

    private async Task ConnectedAsync()
    {
        if (State.ConnectedSilo is { } previous && previous != SiloName)
        {
            State.PreviousSilo = previous;
            State.MoveCount++;
        }
        State.ConnectedSilo = SiloName;
        State.LastConnectedAt = DateTimeOffset.UtcNow;
        State.ShouldBeConnected = true;
        Record(SessionStatus.Connected, _arrivedBy is null ? null : "moved", _arrivedBy);
        _arrivedBy = null;
        await SaveAsync();
        await RegisterBackstopAsync();
        _pump ??= new SendPump(TenantId, SessionId, messages, SendQueuedAsync, AdvanceAsync,
            () => State.Status == SessionStatus.Connected && !_leaving, RetryLater, Pacing, Options.RetryDelay, logger);
        _pump.Poke();
    }

    private async Task LoggedOutAsync(string reason)
    {
        StopQr();
        State.ShouldBeConnected = false;
        State.EncryptedCredentials = null;
        Record(SessionStatus.LoggedOut, reason);
        await SaveAsync();
        await UnregisterBackstopAsync();
    }

    /// <summary>One timer serves both transient failures: a failed connect and a stalled send queue.</summary>
    private void RetryLater(TimeSpan delay)
    {
        CancelRetry();
        _retryTimer = this.RegisterGrainTimer(async () =>
        {
            if (State.Status == SessionStatus.Connected) _pump?.Poke();
            else await EnsureRunning();
        }, delay, Timeout.InfiniteTimeSpan);
    }

    private void CancelRetry()
    {
        _retryTimer?.Dispose();
        _retryTimer = null;
    }

    private void Record(SessionStatus status, string? reason = null, string? details = null)
    {
        State.Status = status;
        CountAs(status);
        _unsavedChange = new StatusChange(status, DateTimeOffset.UtcNow, SiloName, reason, details);
        State.History.Add(_unsavedChange);
        if (State.History.Count > Options.HistoryLength)
            State.History.RemoveRange(0, State.History.Count - Options.HistoryLength);
    }

    private async Task SaveAsync()
    {
        await session.WriteStateAsync();
        // The registry row carries the session.status event of the change just recorded, written in the same statement.
        var appended = await registry.SaveAsync(new SessionRegistration(TenantId, SessionId, State.Name, State.Engine, State.Status,
            State.ShouldBeConnected, State.PhoneNumber, SiloName, State.CreatedAt), _unsavedChange);
        _unsavedChange = null;
        events.Appended(TenantId, appended);
    }

    private void CountAs(SessionStatus? status)
    {
        Telemetry.SessionStatusChanged(SiloName, _countedAs, status);
        _countedAs = status;
    }

    // A session revived or moved finds its reminder still registered: skipping it saves a reminder-table write
    // (often through another silo's reminder service) on every failover and rebalance move.
    private async Task RegisterBackstopAsync()
    {
        if (State.BackstopPeriod == Options.ReminderPeriod) return;
        await this.RegisterOrUpdateReminder(BackstopReminder, Options.ReminderPeriod, Options.ReminderPeriod);
        State.BackstopPeriod = Options.ReminderPeriod;
        await session.WriteStateAsync();
    }

    private async Task UnregisterBackstopAsync()
    {
        if (await this.GetReminder(BackstopReminder) is { } reminder) await this.UnregisterReminder(reminder);
        if (State.BackstopPeriod is null) return;
        State.BackstopPeriod = null;
        await session.WriteStateAsync();
    }
}
