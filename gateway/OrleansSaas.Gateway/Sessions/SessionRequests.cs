namespace OrleansSaas.Gateway.Sessions;

/// <summary>Body of POST /v1/sessions; every field is optional.</summary>
public sealed record CreateSessionRequest(string? Name, string? Engine, SessionSettingsRequest? Settings);

/// <summary>Body of PATCH /v1/sessions/{id}/settings; a missing field keeps its current value.</summary>
public sealed record SessionSettingsRequest(double? MessagesPerSecond, int? RecipientGapMilliseconds);

public sealed record PairingCodeRequest(string? PhoneNumber);

public sealed record SessionListResponse(IReadOnlyList<OrleansSaas.Data.Sessions.SessionSummary> Items, string? NextCursor);

public sealed record MeResponse(string PhoneNumber, string? ProfileName);
