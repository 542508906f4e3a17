using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSaas.Contracts.Cluster;
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
    TokenLeases quotaLeases,
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

    private SessionView View() => new(SessionId, State.Name, State.Engine, State.Status, State.PhoneNumber, State.ProfileName,
        State.CreatedAt, new SessionPlacement(SiloName, State.PreviousSilo, State.MoveCount, State.LastConnectedAt), State.History.ToList(),
        new SessionSettings(MessagesPerSecond, RecipientGapMilliseconds), State.WebhookUrl);
}
