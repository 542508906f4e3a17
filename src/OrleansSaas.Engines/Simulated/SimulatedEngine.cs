using OrleansSaas.Contracts.Messaging;
using OrleansSaas.Contracts.Simulation;
using OrleansSaas.Data.Media;

namespace OrleansSaas.Engines.Simulated;

/// <summary>An engine whose network is the simulated phones (grains) in this cluster.</summary>
public sealed class SimulatedEngine(IGrainFactory grains, MediaStore media) : IWhatsAppEngine
{
    public const string EngineName = "simulated";

    public string Name => EngineName;

    public async Task<ConnectResult> ConnectAsync(EngineSession session, string credentials)
    {
        if (session.PhoneNumber is null) return ConnectResult.LoggedOut;
        var outcome = await Phone(session.PhoneNumber).Link(session.SessionKey, credentials);
        return outcome == LinkOutcome.Linked ? ConnectResult.Connected : ConnectResult.LoggedOut;
    }

    public string CreatePairingQr(EngineSession session) => SimulatedQr.Create(session.SessionKey);

    public string CreatePairingCode(EngineSession session, string phoneNumber) => SimulatedQr.CreatePairingCode();

    public async Task<SendResult> SendAsync(EngineSession session, OutboundMessage message)
    {
        if (session.PhoneNumber is null) return SendResult.Retry;
        var content = message.Content with { ReplyTo = message.ReplyToNetworkId, Details = SimulatedMedia.ToNetwork(session.SessionKey, message.Content.Details) };
        var envelope = new SimulatedEnvelope(message.Id, session.PhoneNumber, session.SessionKey, message.To, content, DateTimeOffset.UtcNow);
        await Phone(message.To).Accept(envelope);
        return SendResult.Sent;
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

    private ISimulatedPhoneGrain Phone(string number) => grains.GetGrain<ISimulatedPhoneGrain>(number);
}
