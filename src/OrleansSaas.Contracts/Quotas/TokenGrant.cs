namespace OrleansSaas.Contracts.Quotas;

/// <summary>
/// Tokens handed out by a bucket's grain in one call: <see cref="Count"/> of them (none when the bucket is empty,
/// then <see cref="RetryAfter"/> says when one will be there), and the bucket's refill rate, so the caller can size
/// its next request.
/// </summary>
[GenerateSerializer, Alias("token-grant")]
public sealed record TokenGrant(
    [property: Id(0)] int Count,
    [property: Id(1)] TimeSpan RetryAfter,
    [property: Id(2)] double PerSecond);
