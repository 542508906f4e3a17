using System.ComponentModel.DataAnnotations;

namespace OrleansSaas.Grains.Webhooks;

public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>How long a delivery is retried (from when it was queued or replayed) before it is dead-lettered.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan RetryPeriod { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The wait after the first failure; it doubles per attempt up to <see cref="MaxBackoff"/>, with jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(5);

    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A receiver that has not answered by then counts as a failed attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts for a delivery the receiver rejects with a 4xx other than 408, 410 and 429, before it is dead-lettered.</summary>
    [Range(1, 100)]
    public int MaxClientErrorAttempts { get; set; } = 3;

    /// <summary>Sessions whose events one subscription delivers at the same time.</summary>
    [Range(1, 256)]
    public int Concurrency { get; set; } = 16;

    /// <summary>Events of one session taken per read; they go out one after another.</summary>
    [Range(1, 1000)]
    public int BatchPerSession { get; set; } = 50;

    /// <summary>How often each silo looks for subscriptions whose deliveries are overdue (their grain was lost with a silo).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How late a delivery must be before the sweep wakes its subscription; a live grain is on time by itself.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan OverdueGrace { get; set; } = TimeSpan.FromSeconds(10);

}
