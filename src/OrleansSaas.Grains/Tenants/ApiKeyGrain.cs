using System.Security.Cryptography;
using OrleansSaas.Contracts.Tenants;

namespace OrleansSaas.Grains.Tenants;

[GenerateSerializer, Alias("api-key-state")]
public sealed class ApiKeyState
{
    [Id(0)] public string? TenantId { get; set; }
    [Id(1)] public byte[] SecretHash { get; set; } = [];
    [Id(2)] public DateTimeOffset CreatedAt { get; set; }
}

public sealed class ApiKeyGrain([PersistentState("apikey")] IPersistentState<ApiKeyState> key) : Grain, IApiKeyGrain
{
    public async Task Register(string tenantId, byte[] secretHash)
    {
        // Key ids are random; a collision with an existing key must never rebind it to another tenant.
        if (key.State.TenantId is not null) throw new InvalidOperationException("API key id already in use.");
        key.State.TenantId = tenantId;
        key.State.SecretHash = secretHash;
        key.State.CreatedAt = DateTimeOffset.UtcNow;
        await key.WriteStateAsync();
    }

    public Task<string?> Authenticate(byte[] secretHash) =>
        Task.FromResult(key.State.TenantId is not null && CryptographicOperations.FixedTimeEquals(key.State.SecretHash, secretHash)
            ? key.State.TenantId
            : null);
}
