using System.ComponentModel.DataAnnotations;

namespace OrleansSaas.Grains.Events;

public sealed class EventOptions
{
    public const string Section = "Events";

    /// <summary>How long events are kept, acknowledged or not, for pull consumers, streams and replays. Longer than any webhook retry period.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "365.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(10);
}
