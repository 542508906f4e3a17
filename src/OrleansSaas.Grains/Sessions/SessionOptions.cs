using System.ComponentModel.DataAnnotations;

namespace OrleansSaas.Grains.Sessions;

public sealed class SessionOptions
{
    public const string Section = "Sessions";

    /// <summary>How long one QR code is shown before the next one replaces it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan QrRotationInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How many QR codes a pairing shows before it expires unscanned.</summary>
    [Range(1, 100)]
    public int MaxQrCodes { get; set; } = 6;

    /// <summary>Default pacing of the send queue, per session (number): the Cloud API's default throughput per number.</summary>
    [Range(0.1, 1000)]
    public double MessagesPerSecond { get; set; } = 80;

    /// <summary>
    /// Default minimum gap between two messages to the same recipient, in milliseconds. Off by default for the
    /// simulated network; the Cloud API's pair rate (one message per 6 s per user) calls for 6000 there.
    /// </summary>
    [Range(0, 600_000)]
    public int RecipientGapMilliseconds { get; set; }

    /// <summary>Wait before retrying a send or a reconnect that failed for a transient reason.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Slow failover backstop: a reminder wakes sessions that should be connected.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many status changes a session keeps in its history.</summary>
    [Range(10, 1000)]
    public int HistoryLength { get; set; } = 50;
}
