using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using OrleansSaas.Contracts.Tenants;
using OrleansSaas.Data.Tenants;
using OrleansSaas.Gateway.Problems;

namespace OrleansSaas.Gateway.Tenants;

/// <summary>
/// Operators manage tenants and their API keys. Tenant ids are generated here (<c>ten_</c> + a time-ordered
/// hex id), never chosen by the caller, so listing by id is listing newest first and a deleted tenant's id
/// (whose data is retained) can never be taken again.
/// </summary>
public static partial class TenantAdminEndpoints
{
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 200;

    public static RouteGroupBuilder MapTenantAdminEndpoints(this IEndpointRouteBuilder admin)
    {
        var group = admin.MapGroup("/tenants").WithTags("Admin");
        group.MapPost("/", Create);
        group.MapGet("/", List);
        group.MapGet("/{tenantId}", Get);
        group.MapPatch("/{tenantId}", Update);
        group.MapPost("/{tenantId}/suspend", Suspend);
        group.MapPost("/{tenantId}/resume", Resume);
        group.MapDelete("/{tenantId}", Delete);
        group.MapPost("/{tenantId}/keys", IssueKey);
        group.MapGet("/{tenantId}/keys", ListKeys);
        group.MapPost("/{tenantId}/keys/{keyId}/revoke", RevokeKey);
        return group;
    }

    private static async Task<Results<Created<TenantView>, ValidationProblem>> Create(
        [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] CreateTenantRequest? request, IClusterClient cluster)
    {
        var errors = new FieldErrors();
        var name = TenantAdminValidation.Name(request?.Name, errors);
        if (name is null) errors.Add("name", "is required.");
        var plan = TenantAdminValidation.Plan(request?.Plan, errors);
        if (errors.Any) return Problem.Invalid(errors);

        var tenantId = $"ten_{Guid.CreateVersion7():N}";
        var tenant = await cluster.GetGrain<ITenantGrain>(tenantId).Create(name!, TenantPlan.Default.With(plan))
            ?? throw new InvalidOperationException($"Fresh tenant id {tenantId} belongs to a deleted tenant.");
        return TypedResults.Created($"/v1/admin/tenants/{tenantId}", tenant);
    }

    private static async Task<Results<Ok<TenantListResponse>, ValidationProblem>> List(string? status, int? limit, string? cursor, TenantStore tenants)
    {
        var errors = new FieldErrors();
        TenantStatus? statusFilter = status switch
        {
            null => null,
            "active" => TenantStatus.Active,
            "suspended" => TenantStatus.Suspended,
            _ => null,
        };
        if (status is not null && statusFilter is null) errors.Add("status", "must be 'active' or 'suspended'.");
        if (limit is < 1 or > MaxPageSize) errors.Add("limit", $"must be between 1 and {MaxPageSize}.");
        if (cursor is not null && !IsTenantId(cursor)) errors.Add("cursor", "is not a cursor this API returned.");
        if (errors.Any) return Problem.Invalid(errors);

        var size = limit ?? DefaultPageSize;
        var page = await tenants.ListAsync(statusFilter, cursor, size + 1);
        var items = page.Take(size).ToList();
        return TypedResults.Ok(new TenantListResponse(items, page.Count > size ? items[^1].Id : null));
    }

    private static async Task<Results<Ok<TenantView>, ProblemHttpResult>> Get(string tenantId, IClusterClient cluster) =>
        Found(tenantId, IsTenantId(tenantId) ? await cluster.GetGrain<ITenantGrain>(tenantId).Get() : null);

    private static async Task<Results<Ok<TenantView>, ProblemHttpResult, ValidationProblem>> Update(
        string tenantId, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] UpdateTenantRequest? request, IClusterClient cluster)
    {
        var errors = new FieldErrors();
        var name = TenantAdminValidation.Name(request?.Name, errors);
        var plan = TenantAdminValidation.Plan(request?.Plan, errors);
        if (errors.Any) return Problem.Invalid(errors);
        var tenant = IsTenantId(tenantId) ? await cluster.GetGrain<ITenantGrain>(tenantId).Update(name, plan) : null;
        if (tenant is null) return TenantNotFound(tenantId);
        return TypedResults.Ok(tenant);
    }

    private static async Task<Results<Ok<TenantView>, ProblemHttpResult>> Suspend(string tenantId, IClusterClient cluster) =>
        Found(tenantId, IsTenantId(tenantId) ? await cluster.GetGrain<ITenantGrain>(tenantId).Suspend() : null);

    private static async Task<Results<Ok<TenantView>, ProblemHttpResult>> Resume(string tenantId, IClusterClient cluster) =>
        Found(tenantId, IsTenantId(tenantId) ? await cluster.GetGrain<ITenantGrain>(tenantId).Resume() : null);

    /// <summary>
    /// Soft delete: the tenant's keys stop working and it answers 404; its sessions, messages and media are kept for
    /// the grace period (silo setting Lifecycle:DeletedTenantGrace), then the leader purges them.
    /// </summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string tenantId, IClusterClient cluster)
    {
        if (!IsTenantId(tenantId) || !await cluster.GetGrain<ITenantGrain>(tenantId).Delete()) return TenantNotFound(tenantId);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Created<IssuedApiKeyResponse>, ProblemHttpResult, ValidationProblem>> IssueKey(
        string tenantId, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] IssueApiKeyRequest? request, IClusterClient cluster)
    {
        var errors = new FieldErrors();
        var name = TenantAdminValidation.Name(request?.Name, errors);
        var scopes = TenantAdminValidation.Scopes(request?.Scopes, errors);
        if (errors.Any) return Problem.Invalid(errors);
        if (!IsTenantId(tenantId)) return TenantNotFound(tenantId);

        var issued = await cluster.GetGrain<ITenantGrain>(tenantId).IssueApiKey(new ApiKeySpec(name, scopes));
        if (issued is null) return TenantNotFound(tenantId);
        return TypedResults.Created($"/v1/admin/tenants/{tenantId}/keys/{issued.KeyId}",
            new IssuedApiKeyResponse(issued.KeyId, issued.Key, issued.Name, issued.Scopes, issued.CreatedAt));
    }

    private static async Task<Results<Ok<ApiKeyListResponse>, ProblemHttpResult, ValidationProblem>> ListKeys(
        string tenantId, int? limit, string? cursor, IClusterClient cluster, ApiKeyStore keys)
    {
        var errors = new FieldErrors();
        if (limit is < 1 or > MaxPageSize) errors.Add("limit", $"must be between 1 and {MaxPageSize}.");
        if (cursor is not null && !ApiKeyFormat.IsKeyId(cursor)) errors.Add("cursor", "is not a cursor this API returned.");
        if (errors.Any) return Problem.Invalid(errors);
        if (!await ExistsAsync(tenantId, cluster)) return TenantNotFound(tenantId);

        var size = limit ?? DefaultPageSize;
        var page = await keys.ListAsync(tenantId, cursor, size + 1);
        var items = page.Take(size).Select(ApiKeyResponse.From).ToList();
        return TypedResults.Ok(new ApiKeyListResponse(items, page.Count > size ? items[^1].Id : null));
    }

    /// <summary>Revoking again answers the same. The key stops working within the gateways' authentication cache time (5 s).</summary>
    private static async Task<Results<Ok<ApiKeyResponse>, ProblemHttpResult>> RevokeKey(string tenantId, string keyId, IClusterClient cluster, ApiKeyStore keys)
    {
        if (!await ExistsAsync(tenantId, cluster)) return TenantNotFound(tenantId);
        if (!ApiKeyFormat.IsKeyId(keyId) || !await cluster.GetGrain<IApiKeyGrain>(keyId).Revoke(tenantId)) return Problem.NotFound($"API key '{keyId}'");
        var key = await keys.GetAsync(tenantId, keyId) ?? throw new InvalidOperationException($"API key {keyId} has no row.");
        return TypedResults.Ok(ApiKeyResponse.From(key));
    }

    private static async Task<bool> ExistsAsync(string tenantId, IClusterClient cluster) =>
        IsTenantId(tenantId) && await cluster.GetGrain<ITenantGrain>(tenantId).Get() is not null;

    private static Results<Ok<TenantView>, ProblemHttpResult> Found(string tenantId, TenantView? tenant)
    {
        if (tenant is null) return TenantNotFound(tenantId);
        return TypedResults.Ok(tenant);
    }

    private static ProblemHttpResult TenantNotFound(string tenantId) => Problem.NotFound($"Tenant '{tenantId}'");

    /// <summary>Generated ids and the demo tenant's; anything else cannot exist, so it never activates a grain.</summary>
    private static bool IsTenantId(string tenantId) => TenantId().IsMatch(tenantId);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex TenantId();
}
