using OrleansSaas.Contracts.Tenants;

namespace OrleansSaas.Grains.Tenants;

[GenerateSerializer, Alias("tenant-state")]
public sealed class TenantState
{
    [Id(0)] public bool Exists { get; set; }
    [Id(1)] public string Name { get; set; } = "";
    [Id(2)] public DateTimeOffset CreatedAt { get; set; }
    [Id(3)] public TenantStatus Status { get; set; }
    /// <summary>State written before plans existed has none; it gets the default plan.</summary>
    [Id(4)] public TenantPlan Plan { get; set; } = TenantPlan.Default;
    [Id(5)] public DateTimeOffset? SuspendedAt { get; set; }
    [Id(6)] public DateTimeOffset? DeletedAt { get; set; }
}
