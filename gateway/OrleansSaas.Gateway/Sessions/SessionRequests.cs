namespace OrleansSaas.Gateway.Sessions;

/// <summary>Body of POST /v1/sessions; every field is optional.</summary>
public sealed record CreateSessionRequest(string? Name, string? Engine);
