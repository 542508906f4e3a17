namespace OrleansSaas.Contracts.Sessions;

[GenerateSerializer, Immutable, Alias("create-session")]
public sealed record CreateSessionCommand(
    [property: Id(0)] string Name,
    [property: Id(1)] string Engine,
    [property: Id(2)] SessionSettings? Settings = null,
    [property: Id(3)] IReadOnlyDictionary<string, string>? EngineSettings = null);

/// <summary>Per-session overrides; null means the cluster default.</summary>
/// <param name="MessagesPerSecond">Pacing of the send queue for this number.</param>
/// <param name="RecipientGapMilliseconds">Minimum gap between two messages to the same recipient.</param>
[GenerateSerializer, Immutable, Alias("session-settings")]
public sealed record SessionSettings(
    [property: Id(0)] double? MessagesPerSecond,
    [property: Id(1)] int? RecipientGapMilliseconds);

[GenerateSerializer, Immutable, Alias("session-view")]
public sealed record SessionView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string Engine,
    [property: Id(3)] SessionStatus Status,
    [property: Id(4)] string? PhoneNumber,
    [property: Id(5)] string? ProfileName,
    [property: Id(6)] DateTimeOffset CreatedAt,
    [property: Id(7)] SessionPlacement Placement,
    [property: Id(8)] IReadOnlyList<StatusChange> History,
    [property: Id(9)] SessionSettings Settings,
    [property: Id(10)] string? WebhookUrl = null);

/// <summary>Where the session lives now and how often it has moved between silos.</summary>
[GenerateSerializer, Immutable, Alias("session-placement")]
public sealed record SessionPlacement(
    [property: Id(0)] string Silo,
    [property: Id(1)] string? PreviousSilo,
    [property: Id(2)] int MoveCount,
    [property: Id(3)] DateTimeOffset? LastConnectedAt);

[GenerateSerializer, Immutable, Alias("status-change")]
public sealed record StatusChange(
    [property: Id(0)] SessionStatus Status,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string Silo,
    [property: Id(3)] string? Reason,
    [property: Id(4)] string? Details);

[GenerateSerializer, Immutable, Alias("qr-code")]
public sealed record QrCodeView(
    [property: Id(0)] string Value,
    [property: Id(1)] int Sequence,
    [property: Id(2)] DateTimeOffset ExpiresAt);

[GenerateSerializer, Immutable, Alias("pairing-code")]
public sealed record PairingCodeView(
    [property: Id(0)] string Code,
    [property: Id(1)] string PhoneNumber,
    [property: Id(2)] DateTimeOffset ExpiresAt);

/// <summary>Why a session command could not be carried out; the gateway maps each to an HTTP status.</summary>
[GenerateSerializer, Alias("session-error")]
public enum SessionError
{
    None = 0,
    NotFound = 1,
    NotPaired = 2,
    LoggedOut = 3,
    NotPairing = 4,
    UnknownEngine = 5,
    /// <summary>The Idempotency-Key was used before with a different request.</summary>
    IdempotencyConflict = 6,
    /// <summary>A referenced message (reply-to, reaction target, message to mark read) is not one of this session's.</summary>
    UnknownMessage = 7,
    /// <summary>The tenant's plan has no session slot left.</summary>
    QuotaExceeded = 8,
    /// <summary>The tenant sent its plan's messages per minute; retry later.</summary>
    RateLimited = 9,
    /// <summary>The engine refused its settings; <see cref="SessionReply.Errors"/> names the fields.</summary>
    InvalidSettings = 10,
    /// <summary>The session's engine cannot carry this message type.</summary>
    UnsupportedMessageType = 11,
    /// <summary>The engine's customer-service window with this peer is closed (only templates may go).</summary>
    OutsideWindow = 12,
}
