using OrleansSaas.Contracts.Tenants;
using OrleansSaas.Data.Tenants;
using OrleansSaas.Gateway.Problems;

namespace OrleansSaas.Gateway.Tenants;

public sealed record TenantPlanRequest(int? MaxSessions, int? MessagesPerMinute, long? MediaStorageBytes, int? MessageRetentionDays = null);

public sealed record CreateTenantRequest(string? Name, TenantPlanRequest? Plan);

/// <summary>Fields left out (or null) keep their value.</summary>
public sealed record UpdateTenantRequest(string? Name, TenantPlanRequest? Plan);

public sealed record IssueApiKeyRequest(string? Name, string[]? Scopes);

public sealed record TenantListResponse(IReadOnlyList<TenantView> Items, string? NextCursor);

/// <summary>The only reply that shows the plain key.</summary>
public sealed record IssuedApiKeyResponse(string Id, string Key, string? Name, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt);

public sealed record ApiKeyResponse(string Id, string? Name, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt)
{
    public static ApiKeyResponse From(ApiKeyRecord key) => new(key.KeyId, key.Name, key.Scopes, key.CreatedAt, key.LastUsedAt, key.RevokedAt);
}

public sealed record ApiKeyListResponse(IReadOnlyList<ApiKeyResponse> Items, string? NextCursor);

/// <summary>Admin request validation; errors name the JSON field.</summary>
public static class TenantAdminValidation
{
    public const int MaxNameLength = 100;
    public const int MaxSessionsLimit = 100_000;
    public const int MessagesPerMinuteLimit = 1_000_000;
    public const long MediaStorageBytesLimit = 1L << 40;   // 1 TiB
    public const int MessageRetentionDaysLimit = 36_500;

    /// <summary>The trimmed name, or null when absent; adds an error when present but unusable.</summary>
    public static string? Name(string? name, FieldErrors errors)
    {
        var trimmed = name?.Trim();
        if (trimmed is not null && (trimmed.Length is 0 or > MaxNameLength || trimmed.Any(char.IsControl)))
            errors.Add("name", $"must be 1–{MaxNameLength} printable characters.");
        return trimmed;
    }

    public static TenantPlanChange Plan(TenantPlanRequest? plan, FieldErrors errors)
    {
        Bound("plan.maxSessions", plan?.MaxSessions, MaxSessionsLimit, errors);
        Bound("plan.messagesPerMinute", plan?.MessagesPerMinute, MessagesPerMinuteLimit, errors);
        Bound("plan.mediaStorageBytes", plan?.MediaStorageBytes, MediaStorageBytesLimit, errors);
        Bound("plan.messageRetentionDays", plan?.MessageRetentionDays, MessageRetentionDaysLimit, errors);
        return new TenantPlanChange(plan?.MaxSessions, plan?.MessagesPerMinute, plan?.MediaStorageBytes, plan?.MessageRetentionDays);
    }

    /// <summary>Absent: every scope. Returned in <see cref="Auth.Scopes.All"/> order, without repeats.</summary>
    public static IReadOnlyList<string> Scopes(string[]? scopes, FieldErrors errors)
    {
        if (scopes is null) return Auth.Scopes.All;
        var unknown = scopes.Where(s => !Auth.Scopes.All.Contains(s)).ToList();
        if (unknown.Count > 0)
            errors.Add("scopes", $"{string.Join(", ", unknown.Select(s => $"'{s}'"))} is not a scope; scopes are {string.Join(", ", Auth.Scopes.All)}.");
        else if (scopes.Length == 0)
            errors.Add("scopes", "must name at least one scope (leave it out for all scopes).");
        return Auth.Scopes.All.Where(scopes.Contains).ToList();
    }

    private static void Bound(string field, long? value, long limit, FieldErrors errors)
    {
        if (value is < 1 || value > limit) errors.Add(field, $"must be a whole number from 1 to {limit}.");
    }
}
