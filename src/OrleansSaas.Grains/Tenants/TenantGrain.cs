using Npgsql;
using OrleansSaas.Contracts.Tenants;
using OrleansSaas.Data;
using OrleansSaas.Data.Tenants;

namespace OrleansSaas.Grains.Tenants;

/// <summary>
/// A tenant: its name, plan and status. Every change is written to the grain state first, then to the
/// tenants table that listing reads.
/// </summary>
public sealed class TenantGrain([PersistentState("tenant")] IPersistentState<TenantState> tenant, NpgsqlDataSource db) : Grain, ITenantGrain
{
    // A thin wrapper over the shared pooled data source, made here so the silo needs no extra registration.
    private readonly TenantStore _store = new(db);

    private TenantState State => tenant.State;
    private bool IsLive => State.Exists && State.Status != TenantStatus.Deleted;

    public async Task<TenantView?> Create(string name, TenantPlan plan)
    {
        if (State.Exists)
        {
            if (!IsLive) return null;
            // Writing the row again repairs it if the first attempt failed after the grain state was saved.
            await _store.SaveAsync(View(), null);
            return View();
        }
        State.Exists = true;
        State.Name = name;
        State.Plan = plan;
        State.Status = TenantStatus.Active;
        State.CreatedAt = DbTime.Now();
        await SaveAsync();
        return View();
    }

    public Task<TenantView?> Get() => Task.FromResult(IsLive ? View() : null);

    public Task<TenantStatus?> GetStatus() => Task.FromResult(State.Exists ? State.Status : (TenantStatus?)null);

    public async Task<TenantView?> Update(string? name, TenantPlanChange plan)
    {
        if (!IsLive) return null;
        State.Name = name ?? State.Name;
        State.Plan = State.Plan.With(plan);
        await SaveAsync();
        return View();
    }

    public async Task<TenantView?> Suspend()
    {
        if (!IsLive) return null;
        if (State.Status != TenantStatus.Suspended)
        {
            State.Status = TenantStatus.Suspended;
            State.SuspendedAt = DbTime.Now();
            await SaveAsync();
        }
        return View();
    }

    public async Task<TenantView?> Resume()
    {
        if (!IsLive) return null;
        if (State.Status != TenantStatus.Active)
        {
            State.Status = TenantStatus.Active;
            State.SuspendedAt = null;
            await SaveAsync();
        }
        return View();
    }

    public async Task<bool> Delete()
    {
        if (!IsLive) return false;
        State.Status = TenantStatus.Deleted;
        State.DeletedAt = DbTime.Now();
        await SaveAsync();
        return true;
    }

    public async Task<IssuedApiKey?> IssueApiKey(ApiKeySpec spec)
    {
        if (!IsLive) return null;
        var (keyId, plainKey, secretHash) = ApiKeyFormat.Generate();
        var createdAt = DbTime.Now();
        await GrainFactory.GetGrain<IApiKeyGrain>(keyId).Register(this.GetPrimaryKeyString(), secretHash, spec, createdAt);
        return new IssuedApiKey(keyId, plainKey, spec.Name, spec.Scopes, createdAt);
    }

    private async Task SaveAsync()
    {
        await tenant.WriteStateAsync();
        await _store.SaveAsync(View(), State.DeletedAt);
    }

    private TenantView View() => new(this.GetPrimaryKeyString(), State.Name, State.Status, State.Plan, State.CreatedAt, State.SuspendedAt);
}
