using Orleans.Concurrency;
using OrleansSaas.Contracts.Messaging;

namespace OrleansSaas.Contracts.Sessions;

/// <summary>
/// How an engine reports back to its session: by calling the session grain. The calls arrive on the
/// grain's own scheduler, so the grain never has to guard its state against engine threads.
/// </summary>
[Alias("session-engine-events")]
public interface ISessionEngineEvents : IGrainWithStringKey
{
    /// <summary>A phone scanned the QR code or entered the pairing code (<paramref name="pairingToken"/>); true when it was the current one and the session is now paired.</summary>
    [Alias("paired")]
    Task<bool> OnPaired(string pairingToken, string phoneNumber, string profileName, string credentials);

    /// <summary>True once the message is stored (duplicates included), so the network may drop its copy; false while the session is not connected.</summary>
    [Alias("inbound")]
    Task<bool> OnInbound(InboundMessage message);

    /// <summary>Awaited by the network, which keeps the message pending until the sender has recorded the receipt.</summary>
    [Alias("receipt")]
    Task OnReceipt(string messageId, MessageStatus status, DateTimeOffset at);

    /// <summary>A peer is typing to this session until the given time. Ephemeral: lost with the activation, like on WhatsApp.</summary>
    [Alias("typing"), OneWay]
    Task OnTyping(string from, DateTimeOffset until);

    /// <summary>The account was linked elsewhere or removed this device; the session must pair again.</summary>
    [Alias("logged-out-remotely"), OneWay]
    Task OnLoggedOutRemotely(string reason);
}
