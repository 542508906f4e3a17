namespace OrleansSaas.Data;

public static class DbTime
{
    /// <summary>Now, trimmed to PostgreSQL's microseconds, so what a grain returns equals what is later read back.</summary>
    public static DateTimeOffset Now()
    {
        var now = DateTimeOffset.UtcNow;
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
    }
}
