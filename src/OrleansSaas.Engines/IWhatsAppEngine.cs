using OrleansSaas.Contracts.Engines;
using OrleansSaas.Contracts.Messaging;
using OrleansSaas.Contracts.Sessions;

namespace OrleansSaas.Engines;

/// <summary>What an engine needs to know about the session it serves.</summary>
/// <param name="SessionKey">The session grain's key; engines report events to <c>ISessionEngineEvents</c> under it.</param>
/// <param name="PhoneNumber">The paired number (E.164), once paired.</param>
public sealed record EngineSession(string SessionKey, string? PhoneNumber)
{
    public string TenantId => Contracts.Sessions.SessionKey.Parse(SessionKey).TenantId;
}

/// <param name="ReplyToNetworkId">The network id of the quoted (or reacted-to) message.</param>
public sealed record OutboundMessage(string Id, string To, MessageContent Content, string? ReplyToNetworkId);

/// <summary>Media an inbound message carries, as fetched from the network.</summary>
public sealed record InboundMedia(string MimeType, string? FileName, Stream Content);

/// <summary>A setting the engine refused, by the JSON path of the request field (e.g. <c>cloudApi.accessToken</c>).</summary>
public sealed record SettingError(string Field, string Message);

/// <summary>What the engine set up for a new session that the session shows (never a secret).</summary>
public sealed record EngineSetup(string? WebhookUrl);

public enum SendResult
{
    Sent,
    /// <summary>The network will never take this message; mark it failed with <see cref="SendOutcome.Error"/>.</summary>
    Rejected,
    /// <summary>A transient failure; the message stays queued and the queue waits <see cref="SendOutcome.RetryAfter"/>.</summary>
    Retry,
    /// <summary>Only this recipient is over its limit: later messages to others go on, this one waits <see cref="SendOutcome.RetryAfter"/>.</summary>
    RetryRecipient,
    /// <summary>The account can no longer send (<see cref="SendOutcome.Connection"/>); the message stays queued.</summary>
    Disconnected,
}

/// <param name="NetworkId">The id the network gave the message, when it differs from ours; receipts name it.</param>
public sealed record SendOutcome(SendResult Result, string? NetworkId = null, string? Error = null, TimeSpan? RetryAfter = null, ConnectionChange? Connection = null)
{
    public static readonly SendOutcome Sent = new(SendResult.Sent);
    public static readonly SendOutcome Retry = new(SendResult.Retry);
}

/// <summary>
/// The seam between a session grain and a WhatsApp transport. Calls are made from the session grain;
/// the network's own news (QR codes, pairing, connection changes, inbound messages, receipts, errors)
/// reaches the session through its <c>ISessionEngineEvents</c> grain interface, never by callbacks on the engine's threads.
/// An engine keeps state of its own that changes while connected in <see cref="IEngineStateStore"/>.
/// </summary>
public interface IWhatsAppEngine
{
    EngineDescriptor Descriptor { get; }

    string Name => Descriptor.Name;

    /// <summary>Checks the settings object given at creation (JSON, null when absent) before anything is stored.</summary>
    IReadOnlyList<SettingError> CheckSettings(string? settingsJson);

    /// <summary>Stores the checked settings of a new session in the engine's own state.</summary>
    Task<EngineSetup> InitializeAsync(EngineSession session, string? settingsJson);

    /// <summary>Replaces some settings of an existing session (e.g. a rotated token); errors name the field and change nothing.</summary>
    Task<IReadOnlyList<SettingError>> UpdateSettingsAsync(EngineSession session, string settingsJson);

    /// <summary>Connects with the credentials a pairing produced (null for engines that pair by settings).</summary>
    Task<ConnectionChange> ConnectAsync(EngineSession session, string? credentials);

    /// <summary>A fresh QR code to show; the phone that scans it reports through <c>OnPaired</c>.</summary>
    string CreatePairingQr(EngineSession session);

    /// <summary>A code the user types on the phone with this number; the phone reports through <c>OnPaired</c> as for a QR code.</summary>
    string CreatePairingCode(EngineSession session, string phoneNumber);

    /// <summary>
    /// True when QR codes come from the network (<c>OnQrUpdated</c>) rather than from <see cref="CreatePairingQr"/>: the session
    /// then calls <see cref="BeginPairingAsync"/>, runs no QR timer of its own, and is paired by a <c>connected</c> connection change.
    /// </summary>
    bool QrFromNetwork => false;

    /// <summary>Opens the network link of an unpaired session so that the network sends QR codes.</summary>
    Task BeginPairingAsync(EngineSession session) => Task.CompletedTask;

    /// <summary>A pairing code from the network; by default <see cref="CreatePairingCode"/>.</summary>
    Task<string> RequestPairingCodeAsync(EngineSession session, string phoneNumber) => Task.FromResult(CreatePairingCode(session, phoneNumber));

    /// <summary>
    /// The activation is going away (deactivation, migration, silo shutdown): close the network link without logging out,
    /// and return only once it is closed, so the next activation never finds a second link open on the same number.
    /// </summary>
    Task ReleaseAsync(EngineSession session) => Task.CompletedTask;

    Task<SendOutcome> SendAsync(EngineSession session, OutboundMessage message);

    /// <summary>Fetches the media an inbound message refers to by the network's media id; null when the network no longer has it.</summary>
    Task<InboundMedia?> DownloadMediaAsync(EngineSession session, string networkMediaId);

    Task SendTypingAsync(EngineSession session, string to, DateTimeOffset until);

    /// <summary>Tells the sender of an inbound message that it was read.</summary>
    Task MarkReadAsync(EngineSession session, ReadMarker message);

    Task LogoutAsync(EngineSession session);

    /// <summary>The session is deleted: forget everything the engine kept for it.</summary>
    Task DeleteAsync(EngineSession session);
}

/// <summary>Seals engine secrets with the cluster's credential key (AES-GCM), bound to a purpose.</summary>
public interface IEngineSealer
{
    /// <summary>Encrypts <paramref name="plain"/>; only the same <paramref name="purpose"/> (naming the session) opens it.</summary>
    byte[] Seal(string purpose, string plain);

    string Open(string purpose, byte[] sealedBox);
}

/// <summary>
/// An engine's own durable state for a session (a token, a key store), encrypted at rest and bound to the
/// session, so a session that moves or fails over finds it on its new silo. Written only when it changes,
/// independently of the session grain's state.
/// </summary>
public interface IEngineStateStore
{
    Task<string?> LoadAsync(string sessionKey);

    Task SaveAsync(string sessionKey, string engine, string state);

    Task DeleteAsync(string sessionKey);
}
