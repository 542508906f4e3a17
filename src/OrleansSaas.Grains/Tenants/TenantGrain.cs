using OrleansSaas.Contracts.Tenants;

namespace OrleansSaas.Grains.Tenants;

[GenerateSerializer, Alias("tenant-state")]
public sealed class TenantState
{
    [Id(0)] public bool Exists { get; set; }
    [Id(1)] public string Name { get; set; } = "";
    [Id(2)] public DateTimeOffset CreatedAt { get; set; }
}

public sealed class TenantGrain([PersistentState("tenant")] IPersistentState<TenantState> tenant) : Grain, ITenantGrain
{
    public async Task<TenantView> Create(string name)
    {
        if (!tenant.State.Exists)
        {
            tenant.State.Exists = true;
            tenant.State.Name = name;
            tenant.State.CreatedAt = DateTimeOffset.UtcNow;
            await tenant.WriteStateAsync();
        }
        return View();
    }

    public Task<TenantView?> Get() => Task.FromResult(tenant.State.Exists ? View() : null);

    public async Task<IssuedApiKey> IssueApiKey()
    {
        if (!tenant.State.Exists) throw new InvalidOperationException("Create the tenant before issuing keys.");
        var (keyId, plainKey, secretHash) = ApiKeyFormat.Generate();
        await GrainFactory.GetGrain<IApiKeyGrain>(keyId).Register(this.GetPrimaryKeyString(), secretHash);
        return new IssuedApiKey(keyId, plainKey);
    }

    private TenantView View() => new(this.GetPrimaryKeyString(), tenant.State.Name, tenant.State.CreatedAt);
}
