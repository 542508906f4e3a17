using OrleansSaas.Contracts.Messaging;
using OrleansSaas.Contracts.Simulation;

namespace OrleansSaas.Engines.Simulated;

/// <summary>An engine whose network is the simulated phones (grains) in this cluster.</summary>
public sealed class SimulatedEngine(IGrainFactory grains) : IWhatsAppEngine
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
        var envelope = new SimulatedEnvelope(message.Id, session.PhoneNumber, session.SessionKey, message.To,
            message.Content with { ReplyTo = message.ReplyToNetworkId }, DateTimeOffset.UtcNow);
        await Phone(message.To).Accept(envelope);
        return SendResult.Sent;
    }

    public Task MarkReadAsync(EngineSession session, ReadMarker message) =>
        session.PhoneNumber is null ? Task.CompletedTask : Phone(session.PhoneNumber).MarkRead(message.NetworkMessageId, message.From);

    public Task LogoutAsync(EngineSession session) =>
        session.PhoneNumber is null ? Task.CompletedTask : Phone(session.PhoneNumber).Unlink(session.SessionKey);

    private ISimulatedPhoneGrain Phone(string number) => grains.GetGrain<ISimulatedPhoneGrain>(number);
}
