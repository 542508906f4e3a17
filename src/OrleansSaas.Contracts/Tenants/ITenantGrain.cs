using Orleans.Concurrency;

namespace OrleansSaas.Contracts.Tenants;

/// <summary>
/// A customer account; key: tenant id. The grain state is the source of truth; the tenants table is its
/// queryable copy for listing. A deleted tenant is kept (status <see cref="TenantStatus.Deleted"/>) with its data,
/// but answers like a missing one.
/// </summary>
[Alias("tenant")]
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates the tenant. Creating an existing tenant returns it unchanged; null when the id belongs to a
    /// deleted tenant (ids are never reused, so retained data never reappears under a new owner).
    /// </summary>
    [Alias("create")]
    Task<TenantView?> Create(string name, TenantPlan plan);

    /// <summary>Null when the tenant does not exist or was deleted.</summary>
    [Alias("get"), ReadOnly]
    Task<TenantView?> Get();

    /// <summary>What API keys need on every authentication; null when the tenant never existed.</summary>
    [Alias("status"), ReadOnly]
    Task<TenantStatus?> GetStatus();

    /// <summary>Changes the given fields (null: unchanged). Null when the tenant does not exist.</summary>
    [Alias("update")]
    Task<TenantView?> Update(string? name, TenantPlanChange plan);

    /// <summary>Its keys answer 403 until resumed. Null when the tenant does not exist.</summary>
    [Alias("suspend")]
    Task<TenantView?> Suspend();

    [Alias("resume")]
    Task<TenantView?> Resume();

    /// <summary>Soft delete: keys stop working and the tenant answers 404; its data is retained. False when it does not exist.</summary>
    [Alias("delete")]
    Task<bool> Delete();

    /// <summary>
    /// Issues a new API key. The returned plain key is never stored and cannot be read again.
    /// Null when the tenant does not exist.
    /// </summary>
    [Alias("issue-key")]
    Task<IssuedApiKey?> IssueApiKey(ApiKeySpec spec);
}
