namespace OrleansSaas.Contracts.Tenants;

/// <summary>
/// One API key; key: the key id embedded in the plain key, so authentication needs no lookup table.
/// Holds only a hash of the secret. The api_keys table is its queryable copy (and holds lastUsedAt).
/// </summary>
[Alias("api-key")]
public interface IApiKeyGrain : IGrainWithStringKey
{
    /// <summary>Binds a fresh key id to its tenant; fails when the id is taken (ids are random, so only by a collision).</summary>
    [Alias("register")]
    Task Register(string tenantId, byte[] secretHash, ApiKeySpec spec, DateTimeOffset createdAt);

    /// <summary>
    /// What the key may do, or null when the secret does not match, the key is unknown or revoked, or its
    /// tenant was deleted. A suspended tenant's key still answers (so the caller can say why it is refused).
    /// Asked while authenticating requests, so a caller gives up after a few seconds (503) while the key's silo dies.
    /// </summary>
    [Alias("authenticate"), ResponseTimeout("00:00:03")]
    Task<ApiKeyGrant?> Authenticate(byte[] secretHash);

    /// <summary>Revokes the key if it belongs to the tenant (again: no-op); false when it does not.</summary>
    [Alias("revoke")]
    Task<bool> Revoke(string tenantId);
}

/// <summary>What a new key is for. Scope names are the gateway's (validated there); the grain keeps them as given.</summary>
[GenerateSerializer, Immutable, Alias("api-key-spec")]
public sealed record ApiKeySpec(
    [property: Id(0)] string? Name,
    [property: Id(1)] IReadOnlyList<string> Scopes);

/// <summary>A new key with its plain form, shown once.</summary>
[GenerateSerializer, Immutable, Alias("issued-api-key")]
public sealed record IssuedApiKey(
    [property: Id(0)] string KeyId,
    [property: Id(1)] string Key,
    [property: Id(2)] string? Name,
    [property: Id(3)] IReadOnlyList<string> Scopes,
    [property: Id(4)] DateTimeOffset CreatedAt);

[GenerateSerializer, Immutable, Alias("api-key-grant")]
public sealed record ApiKeyGrant(
    [property: Id(0)] string TenantId,
    [property: Id(1)] IReadOnlyList<string> Scopes,
    [property: Id(2)] TenantStatus TenantStatus);
