namespace OrleansSaas.Contracts.Diagnostics;

/// <summary>
/// The cheapest grain call there is: the reference point that benchmarks quote the real API paths against
/// (one HTTP request, authentication and rate limiting, one round trip to a silo and back).
/// </summary>
[Alias("ping-grain")]
public interface IPingGrain : IGrainWithIntegerKey
{
    /// <summary>Answers at once with the silo's clock.</summary>
    [Alias("ping")]
    Task<DateTimeOffset> Ping();
}
