using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using OrleansSaas.Data;
using OrleansSaas.Data.Admin;
using OrleansSaas.Gateway.Problems;
using OrleansSaas.Gateway.Tenants;

namespace OrleansSaas.Gateway.Admin;

public sealed record IssueAdminKeyRequest(string? Name);

/// <summary>The only reply that shows the plain key.</summary>
public sealed record IssuedAdminKeyResponse(string Id, string Name, string Key, DateTimeOffset CreatedAt, string CreatedBy);

/// <summary>A key as listed: never its secret. The bootstrap key from configuration is listed too, as "bootstrap".</summary>
public sealed record AdminKeyResponse(string Id, string Name, DateTimeOffset? CreatedAt, string? CreatedBy, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt)
{
    public static AdminKeyResponse From(AdminKeyRecord key) => new(key.KeyId, key.Name, key.CreatedAt, key.CreatedBy, key.LastUsedAt, key.RevokedAt);
}

public sealed record AdminKeyListResponse(IReadOnlyList<AdminKeyResponse> Items);

/// <summary>Operators issue each other (and their tools) named admin keys, list them and revoke them.</summary>
public static class AdminKeyEndpoints
{
    public static void MapAdminKeyEndpoints(this RouteGroupBuilder admin)
    {
        var group = admin.MapGroup("/keys").WithTags("Admin");
        group.MapPost("/", Issue);
        group.MapGet("/", List);
        group.MapPost("/{keyId}/revoke", Revoke);
    }

    private static async Task<Results<Created<IssuedAdminKeyResponse>, ValidationProblem, ProblemHttpResult>> Issue(
        [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] IssueAdminKeyRequest? request, ClaimsPrincipal user, AdminKeyStore keys)
    {
        var errors = new FieldErrors();
        var name = TenantAdminValidation.Name(request?.Name, errors);
        if (name is null) errors.Add("name", "is required.");
        else if (name == AdminKeyFormat.BootstrapId) errors.Add("name", $"'{AdminKeyFormat.BootstrapId}' names the key from configuration.");
        if (errors.Any) return Problem.Invalid(errors);

        var (keyId, plainKey, secretHash) = AdminKeyFormat.Generate();
        var record = new AdminKeyRecord(keyId, name!, DbTime.Now(), user.FindFirstValue(AdminKeyAuthenticationHandler.KeyNameClaim)!, null, null);
        if (!await keys.InsertAsync(record, secretHash)) return Problem.Conflict($"A live admin key is already named '{name}'.");
        return TypedResults.Created($"/v1/admin/keys/{keyId}", new IssuedAdminKeyResponse(keyId, record.Name, plainKey, record.CreatedAt, record.CreatedBy));
    }

    private static async Task<Ok<AdminKeyListResponse>> List(AdminKeyStore keys, Microsoft.Extensions.Options.IOptionsMonitor<AdminOptions> options)
    {
        var items = (await keys.ListAsync()).Select(AdminKeyResponse.From).ToList();
        if (options.CurrentValue.Enabled) items.Insert(0, new AdminKeyResponse(AdminKeyFormat.BootstrapId, AdminKeyFormat.BootstrapId, null, null, null, null));
        return TypedResults.Ok(new AdminKeyListResponse(items));
    }

    /// <summary>Takes effect at once on every gateway (keys are read per request). Revoking again answers the same.</summary>
    private static async Task<Results<Ok<AdminKeyResponse>, ProblemHttpResult>> Revoke(string keyId, AdminKeyStore keys)
    {
        if (keyId == AdminKeyFormat.BootstrapId)
            return Problem.Conflict($"The bootstrap key is revoked by removing {AdminOptions.Section}:{nameof(AdminOptions.ApiKey)} from the gateways' configuration.");
        var revoked = AdminKeyFormat.IsKeyId(keyId) ? await keys.RevokeAsync(keyId, DbTime.Now()) : null;
        if (revoked is null) return Problem.NotFound($"Admin key '{keyId}'");
        return TypedResults.Ok(AdminKeyResponse.From(revoked));
    }
}
