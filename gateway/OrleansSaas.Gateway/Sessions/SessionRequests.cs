namespace OrleansSaas.Gateway.Sessions;

/// <summary>Body of POST /v1/sessions; every field is optional.</summary>
public sealed record CreateSessionRequest(string? Name, string? Engine, SessionSettingsRequest? Settings);

/// <summary>Body of PATCH /v1/sessions/{id}/settings; a missing field keeps its current value.</summary>
public sealed record SessionSettingsRequest(double? MessagesPerSecond, int? RecipientGapMilliseconds);

public sealed record PairingCodeRequest(string? PhoneNumber);

public sealed record SessionListResponse(IReadOnlyList<OrleansSaas.Data.Sessions.SessionSummary> Items, string? NextCursor);

public sealed record MeResponse(string PhoneNumber, string? ProfileName);

/// <param name="DurationSeconds">1–25 (WhatsApp's limit), default 25.</param>
public sealed record TypingRequest(string? To, int? DurationSeconds);

public sealed record PresenceResponse(IReadOnlyList<OrleansSaas.Contracts.Sessions.PeerTyping> Typing);

/// <summary>GET /qr?format=base64: the raw value and the rendered PNG, for clients that embed it as a data URI.</summary>
public sealed record QrImageResponse(string Value, int Sequence, DateTimeOffset ExpiresAt, string MimeType, string Base64);
