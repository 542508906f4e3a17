using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansSaas.Contracts.Tenants;
using OrleansSaas.Data.Audit;
using OrleansSaas.Gateway.Auth;
using OrleansSaas.Gateway.Problems;

namespace OrleansSaas.Gateway.Audit;

public sealed record AuditEntryResponse(
    long Id, DateTimeOffset At, string Actor, string? TenantId, string? KeyId, string Action, string Target, int Outcome,
    string? RequestId, IReadOnlyDictionary<string, string>? Details)
{
    public static AuditEntryResponse From(AuditRecord record)
    {
        var e = record.Entry;
        return new AuditEntryResponse(record.Id, e.At, e.Actor, e.TenantId, e.KeyId, e.Action, e.Target, e.Outcome, e.RequestId, e.Details);
    }
}

public sealed record AuditListResponse(IReadOnlyList<AuditEntryResponse> Items, string? NextCursor);

/// <summary>
/// The audit log, newest first: operators read all of it; a tenant reads only the entries filed under it
/// (its own requests, and what operators or the cluster did to it).
/// </summary>
public static partial class AuditEndpoints
{
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 200;
    private const int MaxActionLength = 200;

    public static void MapAuditAdminEndpoints(this RouteGroupBuilder admin) =>
        admin.MapGet("/audit", ListAll).WithTags("Admin");

    public static RouteGroupBuilder MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/audit").WithTags("Audit").ProducesCommonProblems().RequireAuthorization();
        group.MapGet("/", ListOwn);
        return group;
    }

    private static Task<Results<Ok<AuditListResponse>, ValidationProblem>> ListAll(
        string? tenant, string? actor, string? action, string? from, string? to, int? limit, string? cursor, AuditStore audit)
    {
        var errors = new FieldErrors();
        if (tenant is not null && !TenantId().IsMatch(tenant)) errors.Add("tenant", "is not a tenant id.");
        return ListAsync(tenant, actor, action, from, to, limit, cursor, errors, audit);
    }

    private static Task<Results<Ok<AuditListResponse>, ValidationProblem>> ListOwn(
        string? actor, string? action, string? from, string? to, int? limit, string? cursor, ClaimsPrincipal user, AuditStore audit) =>
        ListAsync(user.TenantId(), actor, action, from, to, limit, cursor, new FieldErrors(), audit);

    private static async Task<Results<Ok<AuditListResponse>, ValidationProblem>> ListAsync(
        string? tenantId, string? actor, string? action, string? from, string? to, int? limit, string? cursor, FieldErrors errors, AuditStore audit)
    {
        // An actor is a kind (tenant, admin, system), the id of the API key a tenant acted through, or of an operator's admin key.
        var isKind = actor is not null && AuditActors.All.Contains(actor);
        if (actor is not null && !isKind && !ApiKeyFormat.IsKeyId(actor) && !Admin.AdminKeyFormat.IsKeyId(actor) && actor != Admin.AdminKeyFormat.BootstrapId)
            errors.Add("actor", $"must be one of {string.Join(", ", AuditActors.All)}, an API key id or an admin key id.");
        if (action is not null && (action.Length is 0 or > MaxActionLength || action.Any(char.IsControl)))
            errors.Add("action", $"must be 1–{MaxActionLength} printable characters, e.g. \"POST /v1/sessions\" or \"session.move\".");
        var fromTime = QueryValues.Time(from, "from", errors);
        var toTime = QueryValues.Time(to, "to", errors);
        if (fromTime > toTime) errors.Add("to", "must not be before from.");
        var (size, before) = QueryValues.SequencePage(limit, cursor, DefaultPageSize, MaxPageSize, errors);
        if (errors.Any) return Problem.Invalid(errors);

        var page = await audit.ListAsync(new AuditQuery(tenantId, isKind ? actor : null, isKind ? null : actor, action, fromTime, toTime, before, size + 1));
        var items = page.Take(size).Select(AuditEntryResponse.From).ToList();
        return TypedResults.Ok(new AuditListResponse(items, page.Count > size ? items[^1].Id.ToString() : null));
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex TenantId();
}
