using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansSaas.Gateway.Sessions;


/// <summary>
/// Body of POST /v1/sessions; every field is optional. The engine's settings go in the field its
/// GET /v1/engines entry names (<c>settingsField</c>, e.g. <c>cloudApi</c>); the engine checks them.
/// </summary>
public sealed record CreateSessionRequest(string? Name, string? Engine, SessionSettingsRequest? Settings)
{
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? EngineFields { get; init; }
}

/// <summary>Body of PATCH /v1/sessions/{id}/settings; a missing field keeps its current value. The engine's settings object (e.g. <c>cloudApi</c> with a new <c>accessToken</c>) may be given too.</summary>
public sealed record SessionSettingsRequest(double? MessagesPerSecond, int? RecipientGapMilliseconds)
{
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? EngineFields { get; init; }
}

public sealed record PairingCodeRequest(string? PhoneNumber);

public sealed record SessionListResponse(IReadOnlyList<OrleansSaas.Data.Sessions.SessionSummary> Items, string? NextCursor);

public sealed record MeResponse(string PhoneNumber, string? ProfileName);

/// <param name="DurationSeconds">1–25 (WhatsApp's limit), default 25.</param>
public sealed record TypingRequest(string? To, int? DurationSeconds);

public sealed record PresenceResponse(IReadOnlyList<OrleansSaas.Contracts.Sessions.PeerTyping> Typing);

/// <summary>GET /qr?format=base64: the raw value and the rendered PNG, for clients that embed it as a data URI.</summary>
public sealed record QrImageResponse(string Value, int Sequence, DateTimeOffset ExpiresAt, string MimeType, string Base64);
