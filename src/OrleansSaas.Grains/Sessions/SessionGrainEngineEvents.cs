using Microsoft.Extensions.Logging;
using OrleansSaas.Contracts.Engines;
using OrleansSaas.Contracts.Messaging;
using OrleansSaas.Contracts.Sessions;
using System.Text.Json;
using OrleansSaas.Data.Events;
using OrleansSaas.Engines;
using OrleansSaas.Observability;

namespace OrleansSaas.Grains.Sessions;

/// <summary>What the engine reports back (ISessionEngineEvents): pairing, inbound messages, receipts, connection changes.</summary>
public sealed partial class SessionGrain
{
    public async Task<bool> OnPaired(string pairingToken, string phoneNumber, string profileName, string credentials)
    {
        var current = _qr?.Value == pairingToken
            || (_pairingCode is { } code && code.Code == pairingToken && code.PhoneNumber == phoneNumber && code.ExpiresAt > DateTimeOffset.UtcNow);
        if (State.Status != SessionStatus.Pairing || !current) return false;
        StopQr();
        State.PhoneNumber = phoneNumber;
        State.ProfileName = profileName;
        State.EncryptedCredentials = protector.Protect(Key, credentials);
        await ConnectedAsync();
        if (_firstQrAt is { } shownAt) Telemetry.PairingCompleted(DateTimeOffset.UtcNow - shownAt);
        return true;
    }

    public async Task<bool> OnInbound(InboundMessage message)
    {
        if (State.Status != SessionStatus.Connected) return false;
        // The network names a quoted message by its network id; clients know it by ours.
        var content = message.Content.ReplyTo is { } quoted
            ? message.Content with { ReplyTo = await messages.FindByNetworkIdAsync(TenantId, SessionId, quoted) }
            : message.Content;
        // A redelivery must not copy its media again; messages without details are deduplicated by the insert alone.
        if (content.Details is not null)
        {
            if (await messages.FindByNetworkIdAsync(TenantId, SessionId, message.NetworkMessageId) is not null) return true;
            content = content with { Details = await inboundMedia.StoreAsync(TenantId, Engine, EngineSession, content) };
        }
        var stored = new MessageView($"msg_{Guid.CreateVersion7():N}", SessionId, MessageDirection.Inbound,
            message.From, content, MessageStatus.Delivered, message.Timestamp, message.Timestamp, null);
        // A redelivery of the same network id appends no second message and no second event.
        var appended = await messages.InsertInboundAsync(TenantId, SessionId, stored, message.NetworkMessageId);
        events.Appended(TenantId, appended);
        if (appended.Count > 0) Telemetry.MessageAccepted(MessageDirection.Inbound);
        return true;
    }

    public async Task OnReceipt(string messageId, MessageStatus status, DateTimeOffset at)
    {
        if (State.Exists && await AdvanceAsync(messageId, status, null) && status == MessageStatus.Delivered)
            Telemetry.MessageDelivered();
    }

    public async Task<bool> OnDeliveryReport(DeliveryReport report)
    {
        if (!State.Exists) return false;
        if (await messages.FindOutboundByNetworkIdAsync(TenantId, SessionId, report.NetworkMessageId) is not { } messageId) return false;
        if (await AdvanceAsync(messageId, report.Status, report.Status == MessageStatus.Failed ? report.Error : null))
        {
            if (report.Status == MessageStatus.Delivered) Telemetry.MessageDelivered();
            if (report.Status == MessageStatus.Failed) Telemetry.MessageFailed("failed_by_network");
        }
        return true;
    }

    public async Task OnQrUpdated(string qr, DateTimeOffset expiresAt)
    {
        if (State.Status != SessionStatus.Pairing) return;
        _qr = new QrCodeView(qr, (_qr?.Sequence ?? 0) + 1, expiresAt);
        await QrShownAsync(_qr);
    }

    public Task OnPairingCodeUpdated(string code, string phoneNumber, DateTimeOffset expiresAt)
    {
        if (State.Status == SessionStatus.Pairing) _pairingCode = new PairingCodeView(code, phoneNumber, expiresAt);
        return Task.CompletedTask;
    }

    public async Task OnConnectionChanged(ConnectionChange change)
    {
        if (!State.Exists || State.Status == SessionStatus.LoggedOut) return;
        if (change.State == ConnectionState.Connected && State.Status == SessionStatus.Connected) return;
        await ApplyConnectionAsync(change);
    }

    public async Task OnEngineError(string code, string message)
    {
        if (!State.Exists) return;
        logger.LogWarning("Session {SessionId}: the network reported error {Code}", SessionId, code);
        events.Appended(TenantId, await eventLog.AppendAsync(TenantId, EventTypes.SessionError, SessionId, DateTimeOffset.UtcNow,
            JsonSerializer.Serialize(new { sessionId = SessionId, code, message })));
    }

    /// <summary>Moves a message's status forward (its event is written with it); false when it had already moved past.</summary>
    private async Task<bool> AdvanceAsync(string messageId, MessageStatus status, string? error)
    {
        var appended = await messages.AdvanceStatusAsync(TenantId, SessionId, messageId, status, error);
        events.Appended(TenantId, appended);
        return appended.Count > 0;
    }

    public Task OnLoggedOutRemotely(string reason) =>
        State.Exists && State.Status != SessionStatus.LoggedOut ? LoggedOutAsync(reason) : Task.CompletedTask;
}
