namespace OrleansSaas.Gateway.Problems;

/// <summary>Stable problem "type" URIs (RFC 9457); clients branch on these, never on titles or details.</summary>
public static class ProblemTypes
{
    private const string Base = "https://orleanssaas.dev/problems/";
    public const string Validation = Base + "validation";
    public const string MalformedBody = Base + "malformed-body";
    public const string Unauthorized = Base + "unauthorized";
    public const string Forbidden = Base + "forbidden";
    public const string TenantSuspended = Base + "tenant-suspended";
    public const string NotFound = Base + "not-found";
    public const string IdempotencyConflict = Base + "idempotency-conflict";
    public const string SessionState = Base + "session-state";
    public const string QuotaExceeded = Base + "quota-exceeded";
    public const string RateLimited = Base + "rate-limited";
    public const string Unavailable = Base + "unavailable";
    public const string CapacityExhausted = Base + "capacity-exhausted";
    public const string ClusterState = Base + "cluster-state";
    public const string Internal = Base + "internal";
}
