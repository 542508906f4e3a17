using OrleansSaas.Contracts.Engines;
using OrleansSaas.Contracts.Messaging;
using OrleansSaas.Contracts.Sessions;
using OrleansSaas.Contracts.Simulation;
using OrleansSaas.Data.Media;

namespace OrleansSaas.Engines.Simulated;

/// <summary>An engine whose network is the simulated phones (grains) in this cluster.</summary>
public sealed class SimulatedEngine(IGrainFactory grains, MediaStore media) : IWhatsAppEngine
{
    public const string EngineName = "simulated";

    private static readonly EngineDescriptor Description = new(
        EngineName, "Simulated network",
        "A WhatsApp network inside the cluster, for demos, tests and load tests: pair by a simulated scan, send between simulated numbers.",
        Pairing: ["qr", "pairing_code"],
        MessageTypes: ["text", "image", "video", "audio", "voice", "document", "sticker", "location", "contacts", "reaction", "buttons", "list"],
        SettingsField: null,
        Settings: []);

    public EngineDescriptor Descriptor => Description;

    public IReadOnlyList<SettingError> CheckSettings(string? settingsJson) => [];

    public Task<EngineSetup> InitializeAsync(EngineSession session, string? settingsJson) => Task.FromResult(new EngineSetup(null));

    public Task<IReadOnlyList<SettingError>> UpdateSettingsAsync(EngineSession session, string settingsJson) =>
        Task.FromResult<IReadOnlyList<SettingError>>([]);

    public async Task<ConnectionChange> ConnectAsync(EngineSession session, string? credentials)
    {
        if (session.PhoneNumber is null || credentials is null) return new ConnectionChange(ConnectionState.LoggedOut, "credentials_revoked");
        var outcome = await Phone(session.PhoneNumber).Link(session.SessionKey, credentials);
        return outcome == LinkOutcome.Linked ? ConnectionChange.Connected() : new ConnectionChange(ConnectionState.LoggedOut, "credentials_revoked");
    }

    public string CreatePairingQr(EngineSession session) => SimulatedQr.Create(session.SessionKey);

    public string CreatePairingCode(EngineSession session, string phoneNumber) => SimulatedQr.CreatePairingCode();

    public async Task<SendOutcome> SendAsync(EngineSession session, OutboundMessage message)
    {
        if (session.PhoneNumber is null) return SendOutcome.Retry;
        var content = message.Content with { ReplyTo = message.ReplyToNetworkId, Details = SimulatedMedia.ToNetwork(session.SessionKey, message.Content.Details) };
        var envelope = new SimulatedEnvelope(message.Id, session.PhoneNumber, session.SessionKey, message.To, content, DateTimeOffset.UtcNow);
        await Phone(message.To).Accept(envelope);
        return SendOutcome.Sent;
    }

    public async Task<InboundMedia?> DownloadMediaAsync(EngineSession session, string networkMediaId)
    {
        if (!SimulatedMedia.TryParse(networkMediaId, out var tenantId, out var mediaId)) return null;
        return await media.OpenAsync(tenantId, mediaId) is var (view, stream) ? new InboundMedia(view.MimeType, view.FileName, stream) : null;
    }

    public Task SendTypingAsync(EngineSession session, string to, DateTimeOffset until) =>
        session.PhoneNumber is null ? Task.CompletedTask : Phone(to).Typing(session.PhoneNumber, until);

    public Task MarkReadAsync(EngineSession session, ReadMarker message) =>
        session.PhoneNumber is null ? Task.CompletedTask : Phone(session.PhoneNumber).MarkRead(message.NetworkMessageId, message.From);

    public Task LogoutAsync(EngineSession session) =>
        session.PhoneNumber is null ? Task.CompletedTask : Phone(session.PhoneNumber).Unlink(session.SessionKey);

    public Task DeleteAsync(EngineSession session) => Task.CompletedTask;

    private ISimulatedPhoneGrain Phone(string number) => grains.GetGrain<ISimulatedPhoneGrain>(number);
}
