namespace OrleansSaas.Contracts.Tenants;

[GenerateSerializer, Alias("tenant-status")]
public enum TenantStatus
{
    Active,
    Suspended,
    Deleted,
}

/// <summary>What a tenant may use. Enforced by the features that consume each limit.</summary>
[GenerateSerializer, Immutable, Alias("tenant-plan")]
public sealed record TenantPlan(
    [property: Id(0)] int MaxSessions,
    [property: Id(1)] int MessagesPerMinute,
    [property: Id(2)] long MediaStorageBytes,
    // Days messages and media are kept; null keeps the cluster's default (Lifecycle:MessageRetention).
    [property: Id(3)] int? MessageRetentionDays = null)
{
    public static readonly TenantPlan Default = new(MaxSessions: 10, MessagesPerMinute: 600, MediaStorageBytes: 1L << 30);

    public TenantPlan With(TenantPlanChange change) => new(
        change.MaxSessions ?? MaxSessions, change.MessagesPerMinute ?? MessagesPerMinute, change.MediaStorageBytes ?? MediaStorageBytes,
        change.MessageRetentionDays ?? MessageRetentionDays);
}

/// <summary>A partial plan: null fields keep their current value.</summary>
[GenerateSerializer, Immutable, Alias("tenant-plan-change")]
public sealed record TenantPlanChange(
    [property: Id(0)] int? MaxSessions,
    [property: Id(1)] int? MessagesPerMinute,
    [property: Id(2)] long? MediaStorageBytes,
    [property: Id(3)] int? MessageRetentionDays = null);

[GenerateSerializer, Immutable, Alias("tenant-view")]
public sealed record TenantView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] TenantStatus Status,
    [property: Id(3)] TenantPlan Plan,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] DateTimeOffset? SuspendedAt);
