using Orleans.Concurrency;
using OrleansSaas.Contracts.Messaging;

namespace OrleansSaas.Contracts.Sessions;

/// <summary>The state of an engine's link to its network.</summary>
[GenerateSerializer, Alias("connection-state")]
public enum ConnectionState
{
    Connected = 0,
    /// <summary>Not connected; <see cref="ConnectionChange.Reason"/> says why (e.g. auth_failed, connect_failed, a number's state).</summary>
    Disconnected = 1,
    /// <summary>The credentials no longer work (logged out on the phone, linked elsewhere): pair again.</summary>
    LoggedOut = 2,
    /// <summary>The network blocked the account; the session stays disconnected with reason "banned".</summary>
    Banned = 3,
}

/// <summary>A change of an engine's connection, with what the network told about the account.</summary>
/// <param name="RetryLater">For <see cref="ConnectionState.Disconnected"/>: transient, try again; false means wait for the user (new credentials, a start).</param>
[GenerateSerializer, Immutable, Alias("connection-change")]
public sealed record ConnectionChange(
    [property: Id(0)] ConnectionState State,
    [property: Id(1)] string? Reason = null,
    [property: Id(2)] string? Details = null,
    [property: Id(3)] string? PhoneNumber = null,
    [property: Id(4)] string? ProfileName = null,
    [property: Id(5)] bool RetryLater = false)
{
    public static ConnectionChange Connected(string? phoneNumber = null, string? profileName = null) => new(ConnectionState.Connected, PhoneNumber: phoneNumber, ProfileName: profileName);
    public static ConnectionChange Transient(string reason, string? details = null) => new(ConnectionState.Disconnected, reason, details, RetryLater: true);
}

/// <summary>A status the network reports for an outbound message it knows by <paramref name="NetworkMessageId"/>.</summary>
/// <param name="Error">For failed: the network's code and title, e.g. "131047: Re-engagement message".</param>
[GenerateSerializer, Immutable, Alias("delivery-report")]
public sealed record DeliveryReport(
    [property: Id(0)] string NetworkMessageId,
    [property: Id(1)] MessageStatus Status,
    [property: Id(2)] DateTimeOffset At,
    [property: Id(3)] string? Error = null);

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

    /// <summary>The network issued a new QR code for the pairing under way (engines whose codes come from the network).</summary>
    [Alias("qr-updated")]
    Task OnQrUpdated(string qr, DateTimeOffset expiresAt);

    /// <summary>The network issued a pairing code for <paramref name="phoneNumber"/>.</summary>
    [Alias("pairing-code-updated")]
    Task OnPairingCodeUpdated(string code, string phoneNumber, DateTimeOffset expiresAt);

    /// <summary>The engine's connection changed on its own (dropped, restored, logged out, banned).</summary>
    [Alias("connection-changed")]
    Task OnConnectionChanged(ConnectionChange change);

    /// <summary>True once the message is stored (duplicates included), so the network may drop its copy; false while the session is not connected.</summary>
    [Alias("inbound")]
    Task<bool> OnInbound(InboundMessage message);

    /// <summary>Awaited by the network, which keeps the message pending until the sender has recorded the receipt.</summary>
    [Alias("receipt")]
    Task OnReceipt(string messageId, MessageStatus status, DateTimeOffset at);

    /// <summary>A status for a message known by its network id; false when no outbound message of the session has that id (yet).</summary>
    [Alias("delivery-report")]
    Task<bool> OnDeliveryReport(DeliveryReport report);

    /// <summary>An error the network reported about the account rather than a message; recorded as a session.error event.</summary>
    [Alias("engine-error")]
    Task OnEngineError(string code, string message);

    /// <summary>A peer is typing to this session until the given time. Ephemeral: lost with the activation, like on WhatsApp.</summary>
    [Alias("typing"), OneWay]
    Task OnTyping(string from, DateTimeOffset until);

    /// <summary>The account was linked elsewhere or removed this device; the session must pair again.</summary>
    [Alias("logged-out-remotely"), OneWay]
    Task OnLoggedOutRemotely(string reason);
}
