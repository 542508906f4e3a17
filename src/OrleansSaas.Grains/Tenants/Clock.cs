namespace OrleansSaas.Grains.Tenants;

internal static class Clock
{
    /// <summary>Now, trimmed to PostgreSQL's microseconds, so what a grain returns equals what a listing reads back.</summary>
    public static DateTimeOffset Now()
    {
        var now = DateTimeOffset.UtcNow;
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
    }
}
