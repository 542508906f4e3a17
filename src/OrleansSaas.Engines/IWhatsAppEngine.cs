using OrleansSaas.Contracts.Messaging;

namespace OrleansSaas.Engines;

/// <summary>What an engine needs to know about the session it serves.</summary>
/// <param name="SessionKey">The session grain's key; engines report events to <c>ISessionEngineEvents</c> under it.</param>
/// <param name="PhoneNumber">The paired number (E.164), once paired.</param>
public sealed record EngineSession(string SessionKey, string? PhoneNumber);

/// <param name="ReplyToNetworkId">The network id of the quoted (or reacted-to) message.</param>
public sealed record OutboundMessage(string Id, string To, MessageContent Content, string? ReplyToNetworkId);

/// <summary>Media an inbound message carries, as fetched from the network.</summary>
public sealed record InboundMedia(string MimeType, string? FileName, Stream Content);

public enum ConnectResult
{
    Connected,
    /// <summary>The stored credentials no longer work (logged out on the phone, linked elsewhere): pair again.</summary>
    LoggedOut,
    /// <summary>A transient failure; try again later.</summary>
    Failed,
}

public enum SendResult
{
    Sent,
    /// <summary>The network will never take this message; mark it failed.</summary>
    Rejected,
    /// <summary>A transient failure; the message stays queued.</summary>
    Retry,
}

/// <summary>
/// The seam between a session grain and a WhatsApp transport. Calls are made from the session grain;
/// the engine reports inbound messages, receipts, pairing and remote logouts by calling the session's
/// <c>ISessionEngineEvents</c> grain interface, never by callbacks on its own threads.
/// </summary>
public interface IWhatsAppEngine
{
    string Name { get; }

    Task<ConnectResult> ConnectAsync(EngineSession session, string credentials);

    /// <summary>A fresh QR code to show; the phone that scans it reports through <c>OnPaired</c>.</summary>
    string CreatePairingQr(EngineSession session);

    /// <summary>A code the user types on the phone with this number; the phone reports through <c>OnPaired</c> as for a QR code.</summary>
    string CreatePairingCode(EngineSession session, string phoneNumber);

    Task<SendResult> SendAsync(EngineSession session, OutboundMessage message);

    /// <summary>Fetches the media an inbound message refers to by the network's media id; null when the network no longer has it.</summary>
    Task<InboundMedia?> DownloadMediaAsync(EngineSession session, string networkMediaId);

    Task SendTypingAsync(EngineSession session, string to, DateTimeOffset until);

    /// <summary>Tells the sender of an inbound message that it was read.</summary>
    Task MarkReadAsync(EngineSession session, ReadMarker message);

    Task LogoutAsync(EngineSession session);
}
