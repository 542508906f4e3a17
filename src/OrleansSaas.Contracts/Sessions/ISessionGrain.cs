using OrleansSaas.Contracts.Messaging;

namespace OrleansSaas.Contracts.Sessions;

/// <summary>One WhatsApp session; key: <see cref="SessionKey"/>. Owns the engine connection, pairing and the send queue.</summary>
[Alias("session")]
public interface ISessionGrain : IGrainWithStringKey
{
    /// <summary>Creates the session and starts pairing; creating an existing session returns it unchanged.</summary>
    [Alias("create")]
    Task<SessionReply> Create(CreateSessionCommand command);

    /// <summary>Null when the session does not exist (for this tenant).</summary>
    [Alias("get")]
    Task<SessionView?> Get();

    [Alias("qr")]
    Task<QrReply> GetQr();

    /// <summary>Reconnects a disconnected session, or starts pairing again after a logout or an expired pairing.</summary>
    [Alias("start")]
    Task<SessionError> Start();

    /// <summary>Disconnects and stays disconnected (no failover, no reconnect) until started again; keeps the pairing.</summary>
    [Alias("stop")]
    Task<SessionError> Stop();

    [Alias("logout")]
    Task<SessionError> Logout();

    /// <summary>Logs out and removes the session with its message history.</summary>
    [Alias("delete")]
    Task<SessionError> Delete();

    /// <summary>Pairing without a camera: a code the user types on the phone (WhatsApp's "link with phone number").</summary>
    [Alias("pairing-code")]
    Task<PairingCodeReply> RequestPairingCode(string phoneNumber);

    /// <summary>Changes take effect at once, without a restart.</summary>
    [Alias("settings")]
    Task<SessionReply> UpdateSettings(SessionSettings settings);

    /// <summary>Replaces some of the engine's settings (e.g. rotates a token) and reconnects a session that is not connected; fields as raw JSON by request field name.</summary>
    [Alias("engine-settings")]
    Task<SessionReply> UpdateEngineSettings(IReadOnlyDictionary<string, string> engineSettings);

    /// <summary>
    /// Returns once the message is committed as queued; the send loop delivers it later. A caller gives up after a
    /// few seconds (the gateway answers 503 with Retry-After) instead of waiting the default 30 s on a silo that died
    /// with the call: the outcome is then unknown, and a retry under the same idempotency key is never sent twice.
    /// </summary>
    [Alias("send"), ResponseTimeout("00:00:03")]
    Task<SendReply> Send(SendMessageCommand command);

    /// <summary>Marks an inbound message as read and tells its sender.</summary>
    [Alias("mark-read")]
    Task<SessionError> MarkRead(string messageId);

    /// <summary>Shows "typing…" to a peer for a while (WhatsApp shows it at most 25 s).</summary>
    [Alias("typing")]
    Task<SessionError> SendTyping(string to, TimeSpan duration);

    /// <summary>Peers currently typing to this session.</summary>
    [Alias("presence")]
    Task<IReadOnlyList<PeerTyping>?> GetPresence();

    /// <summary>Called by the failover keeper and the reminder backstop: activates the session and reconnects it if it should be connected.</summary>
    [Alias("ensure-running")]
    Task EnsureRunning();
}

[GenerateSerializer, Immutable, Alias("peer-typing")]
public sealed record PeerTyping([property: Id(0)] string Peer, [property: Id(1)] DateTimeOffset Until);

[GenerateSerializer, Immutable, Alias("session-reply")]
/// <param name="Errors">For <see cref="SessionError.InvalidSettings"/>: message by request field.</param>
public sealed record SessionReply([property: Id(0)] SessionError Error, [property: Id(1)] SessionView? Session,
    [property: Id(2)] IReadOnlyDictionary<string, string>? Errors = null);

[GenerateSerializer, Immutable, Alias("qr-reply")]
public sealed record QrReply([property: Id(0)] SessionError Error, [property: Id(1)] QrCodeView? Qr);

[GenerateSerializer, Immutable, Alias("pairing-code-reply")]
public sealed record PairingCodeReply([property: Id(0)] SessionError Error, [property: Id(1)] PairingCodeView? Code);

[GenerateSerializer, Immutable, Alias("send-reply")]
public sealed record SendReply([property: Id(0)] SessionError Error, [property: Id(1)] MessageView? Message, [property: Id(2)] TimeSpan? RetryAfter = null);
