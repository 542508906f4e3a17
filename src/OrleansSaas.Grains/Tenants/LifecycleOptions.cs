using System.ComponentModel.DataAnnotations;

namespace OrleansSaas.Grains.Tenants;

/// <summary>How long tenants' data lives: messages and media per plan, and deleted tenants' data after deletion.</summary>
public sealed class LifecycleOptions
{
    public const string Section = "Lifecycle";

    /// <summary>How long messages and media are kept for tenants whose plan sets no messageRetentionDays.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "36500.00:00:00")]
    public TimeSpan MessageRetention { get; set; } = TimeSpan.FromDays(365);

    /// <summary>How long a deleted tenant's data is kept (an operator can still recover it) before it is purged.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00")]
    public TimeSpan DeletedTenantGrace { get; set; } = TimeSpan.FromDays(30);

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
}
