namespace OrleansSaas.Testing;

public static class Eventually
{
    /// <summary>Polls until the condition holds; throws with the last value seen. For asynchronous effects, not for timing goals.</summary>
    public static async Task<T> Async<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        var value = await probe();
        while (!done(value))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s waiting for {what}; last value: {Describe(value)}");
            await Task.Delay(100);
            value = await probe();
        }
        return value;
    }

    private static string Describe<T>(T value) => value switch
    {
        System.Collections.IEnumerable items and not string => "[" + string.Join(", ", items.Cast<object?>()) + "]",
        _ => value?.ToString() ?? "null",
    };
}
