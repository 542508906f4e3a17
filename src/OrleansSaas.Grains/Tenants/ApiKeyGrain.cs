using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Npgsql;
using OrleansSaas.Contracts.Tenants;
using OrleansSaas.Data;
using OrleansSaas.Data.Tenants;

namespace OrleansSaas.Grains.Tenants;

[GenerateSerializer, Alias("api-key-state")]
public sealed class ApiKeyState
{
    [Id(0)] public string? TenantId { get; set; }
    [Id(1)] public byte[] SecretHash { get; set; } = [];
    [Id(2)] public DateTimeOffset CreatedAt { get; set; }
    [Id(3)] public string? Name { get; set; }
    [Id(4)] public List<string> Scopes { get; set; } = [];
    [Id(5)] public DateTimeOffset? RevokedAt { get; set; }
}

/// <summary>
/// One API key. Authentication asks the tenant for its status every time (the gateway caches answers for
/// a few seconds), so suspending or deleting a tenant takes effect on all its keys without touching them.
/// </summary>
public sealed class ApiKeyGrain(
    [PersistentState("apikey")] IPersistentState<ApiKeyState> key,
    NpgsqlDataSource db,
    ILogger<ApiKeyGrain> logger) : Grain, IApiKeyGrain
{
    /// <summary>lastUsedAt is a hint for operators, not an audit trail: one write per key per interval keeps authentication cheap.</summary>
    private static readonly TimeSpan UseRecordInterval = TimeSpan.FromMinutes(1);

    // A thin wrapper over the shared pooled data source, made here so the silo needs no extra registration.
    private readonly ApiKeyStore _store = new(db);
    private DateTimeOffset? _lastUsedAt;
    private DateTimeOffset? _recordedUseAt;

    private ApiKeyState State => key.State;
    private string KeyId => this.GetPrimaryKeyString();

    public async Task Register(string tenantId, byte[] secretHash, ApiKeySpec spec, DateTimeOffset createdAt)
    {
        // Key ids are random; a collision with an existing key must never rebind it to another tenant.
        if (State.TenantId is not null) throw new InvalidOperationException("API key id already in use.");
        State.TenantId = tenantId;
        State.SecretHash = secretHash;
        State.CreatedAt = createdAt;
        State.Name = spec.Name;
        State.Scopes = spec.Scopes.ToList();
        await SaveAsync();
    }

    public async Task<ApiKeyGrant?> Authenticate(byte[] secretHash)
    {
        if (State.TenantId is null || State.RevokedAt is not null || !CryptographicOperations.FixedTimeEquals(State.SecretHash, secretHash))
            return null;
        var status = await GrainFactory.GetGrain<ITenantGrain>(State.TenantId).GetStatus();
        if (status is null or TenantStatus.Deleted) return null;
        await RecordUseAsync();
        return new ApiKeyGrant(State.TenantId, State.Scopes, status.Value);
    }

    public async Task<bool> Revoke(string tenantId)
    {
        if (State.TenantId != tenantId) return false;
        if (State.RevokedAt is null)
        {
            State.RevokedAt = DbTime.Now();
            await SaveAsync();
        }
        return true;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Keep the last use seen since the last write, so a key used once a few seconds ago does not look idle for good.
        if (_lastUsedAt is { } used && used != _recordedUseAt) await TryRecordUseAsync(used);
    }

    private async Task RecordUseAsync()
    {
        var now = DbTime.Now();
        _lastUsedAt = now;
        if (_recordedUseAt is { } recorded && now - recorded < UseRecordInterval) return;
        await TryRecordUseAsync(now);
    }

    // A failed write of a usage hint must not refuse a valid key.
    private async Task TryRecordUseAsync(DateTimeOffset usedAt)
    {
        try
        {
            await _store.RecordUseAsync(KeyId, usedAt);
            _recordedUseAt = usedAt;
        }
        catch (NpgsqlException error)
        {
            logger.LogWarning(error, "Could not record the use of API key {KeyId}", KeyId);
        }
    }

    private async Task SaveAsync()
    {
        await key.WriteStateAsync();
        await _store.SaveAsync(new ApiKeyRecord(KeyId, State.TenantId!, State.Name, State.Scopes, State.CreatedAt, State.RevokedAt, null));
    }
}
