using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSaas.Contracts.Engines;
using OrleansSaas.Contracts.Messaging;
using OrleansSaas.Contracts.Quotas;
using OrleansSaas.Contracts.Sessions;
using System.Text.Json;
using OrleansSaas.Data;
using OrleansSaas.Data.Events;
using OrleansSaas.Data.Messaging;
using OrleansSaas.Data.Sessions;
using OrleansSaas.Engines;
using OrleansSaas.Grains.Cluster;
using OrleansSaas.Grains.Messaging;
using OrleansSaas.Grains.Media;
using OrleansSaas.Grains.Events;
using OrleansSaas.Observability;

namespace OrleansSaas.Grains.Sessions;

/// <summary>
/// One WhatsApp session. The runtime guarantees a single activation cluster-wide, so there is exactly
/// one live engine connection per session. Kept alive while it exists: an idle session still holds its
/// connection and must not be collected.
/// </summary>
[KeepAlive, SessionPlacement]
public sealed partial class SessionGrain(
    [PersistentState("session")] IPersistentState<SessionState> session,
    EngineCatalog engines,
    MessageStore messages,
    SessionRegistry registry,
    EventStore eventLog,
    EventNotifier events,
    CredentialProtector protector,
    InboundMediaCopier inboundMedia,
    ILocalSiloDetails silo,
    SessionCounter counter,
    IOptions<SessionOptions> options,
    ILogger<SessionGrain> logger) : Grain, ISessionGrain, ISessionEngineEvents, IRemindable
{
    private const string BackstopReminder = "keep-connected";

    private SessionState State => session.State;
    private SessionOptions Options => options.Value;
    private string Key => this.GetPrimaryKeyString();
    private string TenantId => SessionKey.Parse(Key).TenantId;
    private string SessionId => SessionKey.Parse(Key).SessionId;
    private string SiloName => silo.SiloAddress.ToParsableString();
    private IWhatsAppEngine Engine => engines.Find(State.Engine) ?? throw new InvalidOperationException($"Engine '{State.Engine}' is not available on this silo.");
    private EngineSession EngineSession => new(Key, State.PhoneNumber);
    private EngineDescriptor Descriptor => Engine.Descriptor;
    /// <summary>Paired, or needing no pairing: the engine's settings are its credentials.</summary>
    private bool Paired => !Descriptor.RequiresPairing || State.PhoneNumber is not null;
    private ITenantQuotaGrain Quota => GrainFactory.GetGrain<ITenantQuotaGrain>(TenantId);

    private SendPump? _pump;
    private IGrainTimer? _qrTimer;
    private IGrainTimer? _retryTimer;
    private QrCodeView? _qr;
    private PairingCodeView? _pairingCode;
    private StatusChange? _unsavedChange;
    private readonly Dictionary<string, DateTimeOffset> _typing = new(StringComparer.Ordinal);
    private SessionStatus? _countedAs;          // this activation's entry in the sessions-by-status gauge
    private DateTimeOffset? _firstQrAt;         // start of the QR-to-connected measurement

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        counter.Enter();
        try
        {
            CountAs(State.Exists ? State.Status : null);
            if (!State.Exists || !State.ShouldBeConnected) return;
            if (!Paired)
                await StartPairingAsync();     // the silo died while it was pairing: show a fresh code
            else
                await ConnectAsync();
        }
        catch
        {
            counter.Exit(); // a failed activation is never deactivated, so it must not keep its slot
            CountAs(null);
            throw;
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _leaving = true; // the next activation (here or on another silo) owns the send queue from now on
        counter.Exit();
        CountAs(null);
        _pump?.Close();
        if (!State.Exists || engines.Find(State.Engine) is not { } engine) return;
        try
        {
            // The next activation opens the link again: this one's must be closed first (one link per number).
            await engine.ReleaseAsync(EngineSession);
        }
        catch (Exception error)
        {
            logger.LogWarning(error, "Session {SessionId}: the engine did not confirm closing its link", SessionId);
        }
    }

    public async Task<SessionReply> Create(CreateSessionCommand command)
    {
        if (State.Exists) return new SessionReply(SessionError.None, View());
        if (engines.Find(command.Engine) is not { } engine) return new SessionReply(SessionError.UnknownEngine, null);
        // Everything is checked before anything is reserved or written.
        var (settingsJson, errors) = EngineSettingsFor(engine.Descriptor, command.EngineSettings);
        foreach (var error in engine.CheckSettings(settingsJson)) errors.TryAdd(error.Field, error.Message);
        if (errors.Count > 0) return new SessionReply(SessionError.InvalidSettings, null, errors);
        if (!await Quota.TryReserveSession(SessionId)) return new SessionReply(SessionError.QuotaExceeded, null);
        State.Engine = command.Engine;
        State.WebhookUrl = (await engine.InitializeAsync(EngineSession, settingsJson)).WebhookUrl;
        State.Exists = true;
        State.Name = command.Name;
        State.CreatedAt = DateTimeOffset.UtcNow;
        State.Settings = command.Settings ?? new SessionSettings(null, null);
        Record(SessionStatus.Created);
        await SaveAsync();
        if (Descriptor.RequiresPairing)
        {
            await StartPairingAsync();
        }
        else
        {
            State.ShouldBeConnected = true;
            await ConnectAsync();
        }
        return new SessionReply(SessionError.None, View());
    }

    /// <summary>The engine's settings object among the request's extra fields; any other extra field is an error.</summary>
    private static (string? Json, Dictionary<string, string> Errors) EngineSettingsFor(EngineDescriptor engine, IReadOnlyDictionary<string, string>? fields)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        string? json = null;
        foreach (var (field, value) in fields ?? new Dictionary<string, string>())
        {
            if (field == engine.SettingsField) json = value;
            else errors[field] = engine.SettingsField is null
                ? $"is not a field of this request (engine {engine.Name} takes no settings)."
                : $"is not a field of this request (engine {engine.Name} takes its settings in {engine.SettingsField}).";
        }
        return (json, errors);
    }

    public Task<SessionView?> Get()
    {
        if (!State.Exists) DeactivateOnIdle();
        return Task.FromResult(State.Exists ? View() : null);
    }

    public Task<QrReply> GetQr()
    {
        if (!State.Exists) return Task.FromResult(new QrReply(SessionError.NotFound, null));
        return Task.FromResult(State.Status == SessionStatus.Pairing && _qr is not null
            ? new QrReply(SessionError.None, _qr)
            : new QrReply(SessionError.NotPairing, null));
    }

    public async Task<SessionError> Start()
    {
        if (!State.Exists) return SessionError.NotFound;
        switch (State.Status)
        {
            case SessionStatus.Connected or SessionStatus.Pairing:
                break;
            case SessionStatus.Disconnected when Paired:
            case SessionStatus.LoggedOut when !Descriptor.RequiresPairing:
                State.ShouldBeConnected = true;
                await ConnectAsync();
                break;
            default:
                await StartPairingAsync();
                break;
        }
        return SessionError.None;
    }

    public async Task<SessionError> Logout()
    {
        if (!State.Exists) return SessionError.NotFound;
        if (State.Status == SessionStatus.LoggedOut) return SessionError.None;
        try
        {
            await Engine.LogoutAsync(EngineSession);
        }
        catch (Exception error)
        {
            // The local logout must win even when the network is unreachable; the phone drops the link on its next check.
            logger.LogWarning(error, "Engine logout of session {SessionId} failed", SessionId);
        }
        await LoggedOutAsync("logout");
        return SessionError.None;
    }

    public async Task<SessionError> Stop()
    {
        if (!State.Exists) return SessionError.NotFound;
        if (State.Status is SessionStatus.LoggedOut or SessionStatus.Created || !State.ShouldBeConnected) return SessionError.None;
        StopQr();
        CancelRetry();
        State.ShouldBeConnected = false;
        Record(SessionStatus.Disconnected, "stopped");
        await SaveAsync();
        await UnregisterBackstopAsync();
        return SessionError.None;
    }

    public async Task<SessionError> Delete()
    {
        if (!State.Exists) return SessionError.NotFound;
        await Logout();
        CancelRetry();
        await Engine.DeleteAsync(EngineSession);
        await messages.DeleteSessionMessagesAsync(TenantId, SessionId);
        events.Appended(TenantId, await registry.DeleteAsync(TenantId, SessionId));
        await session.ClearStateAsync();
        await Quota.ReleaseSession(SessionId);
        DeactivateOnIdle();
        return SessionError.None;
    }

    public async Task<PairingCodeReply> RequestPairingCode(string phoneNumber)
    {
        if (!State.Exists) return new PairingCodeReply(SessionError.NotFound, null);
        if (State.Status != SessionStatus.Pairing) return new PairingCodeReply(SessionError.NotPairing, null);
        _pairingCode = new PairingCodeView(await Engine.RequestPairingCodeAsync(EngineSession, phoneNumber), phoneNumber,
            DateTimeOffset.UtcNow + Options.QrRotationInterval * Options.MaxQrCodes);
        return new PairingCodeReply(SessionError.None, _pairingCode);
    }

    public async Task<SessionReply> UpdateSettings(SessionSettings settings)
    {
        if (!State.Exists) return new SessionReply(SessionError.NotFound, null);
        State.Settings = new SessionSettings(settings.MessagesPerSecond ?? State.Settings.MessagesPerSecond,
            settings.RecipientGapMilliseconds ?? State.Settings.RecipientGapMilliseconds);
        await session.WriteStateAsync();
        return new SessionReply(SessionError.None, View());
    }

    public async Task<SessionReply> UpdateEngineSettings(IReadOnlyDictionary<string, string> engineSettings)
    {
        if (!State.Exists) return new SessionReply(SessionError.NotFound, null);
        var (settingsJson, errors) = EngineSettingsFor(Descriptor, engineSettings);
        if (settingsJson is not null && errors.Count == 0)
            foreach (var error in await Engine.UpdateSettingsAsync(EngineSession, settingsJson)) errors.TryAdd(error.Field, error.Message);
        if (errors.Count > 0) return new SessionReply(SessionError.InvalidSettings, null, errors);
        // New credentials (a rotated token) are tried at once, so a session that lost its token comes back without a restart.
        if (State.Status == SessionStatus.Disconnected && !IsStopped)
        {
            State.ShouldBeConnected = true;
            await ConnectAsync();
        }
        return new SessionReply(SessionError.None, View());
    }

    /// <summary>Stopped by the user (not by the network): only a start reconnects it.</summary>
    private bool IsStopped => State.History.Count > 0 && State.History[^1].Reason == "stopped";

    public async Task<SendReply> Send(SendMessageCommand command)
    {
        if (!State.Exists) return new SendReply(SessionError.NotFound, null);
        if (State.Status == SessionStatus.LoggedOut) return new SendReply(SessionError.LoggedOut, null);
        if (!Paired) return new SendReply(SessionError.NotPaired, null);
        if (!Descriptor.MessageTypes.Contains(command.Content.Type)) return new SendReply(SessionError.UnsupportedMessageType, null);

        // Sends of one session run one at a time here, so looking up the key and inserting cannot race.
        var requestHash = command.IdempotencyKey is null ? null : RequestHash(command);
        if (command.IdempotencyKey is not null
            && await messages.FindByIdempotencyKeyAsync(TenantId, SessionId, command.IdempotencyKey) is var (earlier, earlierHash))
        {
            return earlierHash == requestHash
                ? new SendReply(SessionError.None, AsAccepted(earlier))
                : new SendReply(SessionError.IdempotencyConflict, null);
        }

        if (Descriptor.CustomerServiceWindow is { } window && Descriptor.WindowFreeTypes?.Contains(command.Content.Type) != true)
        {
            var last = await messages.LastInboundAsync(TenantId, SessionId, command.To);
            if (last is null || last.Value.At < DateTimeOffset.UtcNow - window) return new SendReply(SessionError.OutsideWindow, null);
        }

        if (await Quota.TryConsumeMessage() is { } retryAfter) return new SendReply(SessionError.RateLimited, null, retryAfter);

        var content = command.Content;
        if (content.ReplyTo is { } replyTo && await messages.FindNetworkIdAsync(TenantId, SessionId, replyTo) is null)
            return new SendReply(SessionError.UnknownMessage, null);

        // Microsecond precision makes the first reply equal to every replay of it.
        var now = DbTime.Now();
        var message = new MessageView($"msg_{Guid.CreateVersion7():N}", SessionId, MessageDirection.Outbound,
            command.To, content, MessageStatus.Queued, now, now, null);
        events.Appended(TenantId, await messages.InsertOutboundAsync(TenantId, SessionId, message, command.IdempotencyKey, requestHash));
        Telemetry.MessageAccepted(MessageDirection.Outbound);
        _pump?.Enqueued();
        return new SendReply(SessionError.None, message);
    }

    public async Task<SessionError> SendTyping(string to, TimeSpan duration)
    {
        if (!State.Exists) return SessionError.NotFound;
        if (State.Status != SessionStatus.Connected) return SessionError.NotPaired;
        await Engine.SendTypingAsync(EngineSession, to, DateTimeOffset.UtcNow + duration);
        return SessionError.None;
    }

    public Task<IReadOnlyList<PeerTyping>?> GetPresence()
    {
        if (!State.Exists) return Task.FromResult<IReadOnlyList<PeerTyping>?>(null);
        var now = DateTimeOffset.UtcNow;
        foreach (var stale in _typing.Where(t => t.Value <= now).Select(t => t.Key).ToList()) _typing.Remove(stale);
        return Task.FromResult<IReadOnlyList<PeerTyping>?>(_typing.Select(t => new PeerTyping(t.Key, t.Value)).ToList());
    }

    public Task OnTyping(string from, DateTimeOffset until)
    {
        if (State.Status == SessionStatus.Connected) _typing[from] = until;
        return Task.CompletedTask;
    }

    public async Task<SessionError> MarkRead(string messageId)
    {
        if (!State.Exists) return SessionError.NotFound;
        if (State.Status != SessionStatus.Connected) return SessionError.NotPaired;
        var message = await messages.GetAsync(TenantId, SessionId, messageId);
        if (message is not { Direction: MessageDirection.Inbound }) return SessionError.UnknownMessage;
        if (message.Status == MessageStatus.Read) return SessionError.None;
        var networkId = await messages.FindNetworkIdAsync(TenantId, SessionId, messageId);
        await Engine.MarkReadAsync(EngineSession, new ReadMarker(networkId!, message.Peer));
        await AdvanceAsync(messageId, MessageStatus.Read, null);
        return SessionError.None;
    }

    // A replayed send answers exactly what the first one did: the message as it was accepted.
    private static MessageView AsAccepted(MessageView message) =>
        message with { Status = MessageStatus.Queued, UpdatedAt = message.CreatedAt, Error = null };

    private static string RequestHash(SendMessageCommand command) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"{command.To}\n{command.Content.Type}\n{command.Content.Text}\n{command.Content.Details}\n{command.Content.ReplyTo}")));

    public async Task EnsureRunning()
    {
        if (!State.Exists)
        {
            DeactivateOnIdle();
            return;
        }
        if (!State.ShouldBeConnected || State.Status != SessionStatus.Disconnected) return;
        // A pairing cut short by the engine (its process died) starts again; a paired session reconnects.
        if (Paired) await ConnectAsync();
        else await StartPairingAsync();
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => EnsureRunning();

    // ---- engine events ----

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

    // ---- lifecycle ----

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

    private Task RegisterBackstopAsync() => this.RegisterOrUpdateReminder(BackstopReminder, Options.ReminderPeriod, Options.ReminderPeriod);

    private async Task UnregisterBackstopAsync()
    {
        if (await this.GetReminder(BackstopReminder) is { } reminder) await this.UnregisterReminder(reminder);
    }

    private async Task<SendOutcome> SendQueuedAsync(QueuedMessage message)
    {
        var replyTo = message.Content.ReplyTo is { } quoted ? await messages.FindNetworkIdAsync(TenantId, SessionId, quoted) : null;
        var outcome = await Engine.SendAsync(EngineSession, new OutboundMessage(message.Id, message.To, message.Content, replyTo));
        if (outcome.NetworkId is { } networkId && networkId != message.Id)
            await messages.SetNetworkIdAsync(TenantId, SessionId, message.Id, networkId);
        if (outcome is { Result: SendResult.Disconnected, Connection: { } change }) await ApplyConnectionAsync(change);
        return outcome;
    }

    private double MessagesPerSecond => State.Settings.MessagesPerSecond ?? Descriptor.DefaultPacing?.MessagesPerSecond ?? Options.MessagesPerSecond;
    private int RecipientGapMilliseconds => State.Settings.RecipientGapMilliseconds ?? Descriptor.DefaultPacing?.RecipientGapMilliseconds ?? Options.RecipientGapMilliseconds;

    /// <summary>Read at every send, so a settings change applies to the next message.</summary>
    private SendPacing Pacing() => new(TimeSpan.FromSeconds(1 / MessagesPerSecond), TimeSpan.FromMilliseconds(RecipientGapMilliseconds),
        Descriptor.DefaultPacing?.RecipientBurst ?? 1);

    private SessionView View() => new(SessionId, State.Name, State.Engine, State.Status, State.PhoneNumber, State.ProfileName,
        State.CreatedAt, new SessionPlacement(SiloName, State.PreviousSilo, State.MoveCount, State.LastConnectedAt), State.History.ToList(),
        new SessionSettings(MessagesPerSecond, RecipientGapMilliseconds), State.WebhookUrl);
}
