using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OrleansSaas.Contracts.Sessions;
using OrleansSaas.Contracts.Webhooks;
using OrleansSaas.Data.Events;
using OrleansSaas.Data.Sessions;
using OrleansSaas.Data.Webhooks;
using OrleansSaas.Gateway.Audit;
using OrleansSaas.Gateway.Auth;
using OrleansSaas.Gateway.Problems;
using OrleansSaas.Gateway.Sessions;
using OrleansSaas.Outbound;

namespace OrleansSaas.Gateway.Webhooks;

/// <summary>
/// Webhook subscriptions: changes go through the subscription's grain (it owns the row and the delivery
/// loop); the delivery log is read straight from its tables, scoped by the authenticated tenant.
/// </summary>
public static class WebhookEndpoints
{
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 200;

    public static RouteGroupBuilder MapWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/webhooks").WithTags("Webhooks").ProducesCommonProblems().RequireAuthorization(Scopes.WebhooksManage).WithAudit();
        group.MapPost("/", Create).Produces<WebhookReply>(201);
        group.MapGet("/", List).Produces<WebhookListResponse>();
        group.MapGet("/{webhookId}", Get).Produces<WebhookView>();
        group.MapPatch("/{webhookId}", Update).Produces<WebhookView>();
        group.MapDelete("/{webhookId}", Delete).Produces(204);
        group.MapPost("/{webhookId}/rotate-secret", RotateSecret).Produces<WebhookReply>();
        group.MapPost("/{webhookId}/ping", Ping).Produces<WebhookPingResult>();
        group.MapPost("/{webhookId}/replay", Replay).Produces<ReplayResponse>(202);
        group.MapGet("/{webhookId}/deliveries", ListDeliveries).Produces<DeliveryListResponse>();
        group.MapGet("/{webhookId}/deliveries/{eventId}", GetDelivery).Produces<DeliveryDetailResponse>();
        return group;
    }

    private static async Task<IResult> Create(CreateWebhookRequest request, ClaimsPrincipal user, IClusterClient cluster, IOptions<WebhookApiOptions> options, SessionRegistry sessions,
        OutboundGuard guard)
    {
        var errors = new FieldErrors();
        var (url, sessionIds, eventTypes) = WebhookRules.Fields(request.Url, request.Description, request.SessionIds, request.EventTypes,
            urlRequired: true, options.Value.RequireHttps, errors);
        if (!errors.Any && url is not null && await guard.CheckUrlAsync(url) is { } refused) errors.Add("url", refused);
        if (!errors.Any) await CheckSessionsExistAsync(request.SessionIds, user, sessions, errors);
        if (errors.Any) return Problem.Invalid(errors);

        var id = $"whk_{Guid.CreateVersion7():N}";
        var reply = await Webhook(cluster, user, id).Create(new WebhookSpec(url!, request.Description, sessionIds, eventTypes));
        return TypedResults.Created($"/v1/webhooks/{id}", reply);
    }

    private static async Task<Results<Ok<WebhookListResponse>, ValidationProblem>> List(int? limit, string? cursor, ClaimsPrincipal user, WebhookStore store)
    {
        var errors = new FieldErrors();
        if (limit is < 1 or > MaxPageSize) errors.Add("limit", $"must be between 1 and {MaxPageSize}.");
        if (cursor is not null && !SessionRoutes.IsWellFormed(cursor)) errors.Add("cursor", "is not a cursor this API returned.");
        if (errors.Any) return Problem.Invalid(errors);
        var size = limit ?? DefaultPageSize;
        var rows = await store.ListAsync(user.TenantId(), cursor, size + 1);
        var page = rows.Take(size).ToList();
        // Read from the rows: listing must not activate (and start delivering for) every subscription.
        var now = DateTimeOffset.UtcNow;
        return TypedResults.Ok(new WebhookListResponse(page.Select(row => row.ToView(now)).ToList(), rows.Count > size ? page[^1].Id : null));
    }

    private static async Task<IResult> Get(string webhookId, ClaimsPrincipal user, IClusterClient cluster)
    {
        var view = SessionRoutes.IsWellFormed(webhookId) ? await Webhook(cluster, user, webhookId).Get() : null;
        return view is null ? NotFound(webhookId) : TypedResults.Ok(view);
    }

    private static async Task<IResult> Update(string webhookId, UpdateWebhookRequest request, ClaimsPrincipal user, IClusterClient cluster, IOptions<WebhookApiOptions> options,
        SessionRegistry sessions, OutboundGuard guard)
    {
        var errors = new FieldErrors();
        var (url, sessionIds, eventTypes) = WebhookRules.Fields(request.Url, request.Description, request.SessionIds, request.EventTypes,
            urlRequired: false, options.Value.RequireHttps, errors);
        if (!errors.Any && url is not null && await guard.CheckUrlAsync(url) is { } refused) errors.Add("url", refused);
        if (!errors.Any) await CheckSessionsExistAsync(request.SessionIds, user, sessions, errors);
        if (errors.Any) return Problem.Invalid(errors);
        if (!SessionRoutes.IsWellFormed(webhookId)) return NotFound(webhookId);

        var reply = await Webhook(cluster, user, webhookId).Update(new WebhookChange(url, request.Description, sessionIds, eventTypes, request.Active,
            ClearSessionIds: request.SessionIds is { Count: 0 }, ClearEventTypes: request.EventTypes is { Count: 0 }));
        return reply.Webhook is null ? NotFound(webhookId) : TypedResults.Ok(reply.Webhook);
    }

    /// <summary>A filter names the tenant's own sessions; any other id (another tenant's included) is unknown, like a misspelt one.</summary>
    private static async Task CheckSessionsExistAsync(List<string>? ids, ClaimsPrincipal user, SessionRegistry sessions, FieldErrors errors)
    {
        if (ids is not { Count: > 0 }) return;
        var known = await sessions.ExistingAsync(user.TenantId(), ids);
        for (var i = 0; i < ids.Count; i++)
            if (!known.Contains(ids[i])) errors.Add($"sessionIds[{i}]", "is not a session of this tenant.");
    }

    private static async Task<IResult> Delete(string webhookId, ClaimsPrincipal user, IClusterClient cluster)
    {
        var deleted = SessionRoutes.IsWellFormed(webhookId) && await Webhook(cluster, user, webhookId).Delete();
        return deleted ? TypedResults.NoContent() : NotFound(webhookId);
    }

    private static async Task<IResult> RotateSecret(string webhookId, RotateSecretRequest? request, ClaimsPrincipal user, IClusterClient cluster, IOptions<WebhookApiOptions> options)
    {
        var overlap = request?.OverlapSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : options.Value.DefaultSecretOverlap;
        if (overlap < TimeSpan.Zero || overlap > WebhookRules.MaxOverlap)
            return Problem.Invalid("overlapSeconds", $"must be between 0 and {(int)WebhookRules.MaxOverlap.TotalSeconds}.");
        if (!SessionRoutes.IsWellFormed(webhookId)) return NotFound(webhookId);
        var reply = await Webhook(cluster, user, webhookId).RotateSecret(overlap);
        return reply.Webhook is null ? NotFound(webhookId) : TypedResults.Ok(reply);
    }

    private static async Task<IResult> Ping(string webhookId, ClaimsPrincipal user, IClusterClient cluster)
    {
        var result = SessionRoutes.IsWellFormed(webhookId) ? await Webhook(cluster, user, webhookId).Ping() : null;
        return result is null ? NotFound(webhookId) : TypedResults.Ok(result);
    }

    private static async Task<IResult> Replay(string webhookId, ReplayRequest request, ClaimsPrincipal user, IClusterClient cluster, EventStore events)
    {
        var errors = new FieldErrors();
        long from = 0, to = 0;
        if (request.EventId is not null)
        {
            if (request.FromSeq is not null || request.ToSeq is not null) errors.Add("eventId", "give either eventId or fromSeq/toSeq, not both.");
            else if (!SessionRoutes.IsWellFormed(request.EventId) || await events.GetAsync(user.TenantId(), request.EventId) is not { } stored)
                errors.Add("eventId", "is not an event of this tenant (or it is past the retention period).");
            else from = to = stored.Seq;
        }
        else if (request.FromSeq is not { } fromSeq || fromSeq < 1) errors.Add("fromSeq", "is required (1 or more) unless eventId is given.");
        else
        {
            from = fromSeq;
            to = request.ToSeq ?? fromSeq;
            if (to < from) errors.Add("toSeq", "must not be below fromSeq.");
            else if (to - from >= WebhookRules.MaxReplayRange) errors.Add("toSeq", $"a replay covers at most {WebhookRules.MaxReplayRange} sequence numbers.");
        }
        if (errors.Any) return Problem.Invalid(errors);
        if (!SessionRoutes.IsWellFormed(webhookId)) return NotFound(webhookId);

        var queued = await Webhook(cluster, user, webhookId).Replay(from, to);
        return queued is null ? NotFound(webhookId) : TypedResults.Accepted($"/v1/webhooks/{webhookId}/deliveries", new ReplayResponse(queued.Value));
    }

    private static async Task<IResult> ListDeliveries(string webhookId, string? state, int? limit, string? cursor, ClaimsPrincipal user, WebhookStore store)
    {
        var errors = new FieldErrors();
        var stateFilter = QueryValues.Name<DeliveryState>(state, "state", errors);
        var (size, before) = QueryValues.SequencePage(limit, cursor, DefaultPageSize, MaxPageSize, errors);
        if (errors.Any) return Problem.Invalid(errors);
        if (!await ExistsAsync(store, user, webhookId)) return NotFound(webhookId);

        var rows = await store.ListDeliveriesAsync(user.TenantId(), webhookId, stateFilter, before, size + 1);
        var page = rows.Take(size).ToList();
        return TypedResults.Ok(new DeliveryListResponse(page, rows.Count > size ? page[^1].Seq.ToString(System.Globalization.CultureInfo.InvariantCulture) : null));
    }

    private static async Task<IResult> GetDelivery(string webhookId, string eventId, ClaimsPrincipal user, WebhookStore store, EventStore events)
    {
        if (!await ExistsAsync(store, user, webhookId)) return NotFound(webhookId);
        var tenantId = user.TenantId();
        var delivery = SessionRoutes.IsWellFormed(eventId) && await events.GetAsync(tenantId, eventId) is { } stored
            ? (await store.ListDeliveriesAsync(tenantId, webhookId, null, stored.Seq + 1, 1)).FirstOrDefault(d => d.Seq == stored.Seq)
            : null;
        if (delivery is null) return Problem.NotFound($"A delivery of event '{eventId}' to webhook '{webhookId}'");
        return TypedResults.Ok(new DeliveryDetailResponse(delivery, await store.ListAttemptsAsync(tenantId, webhookId, delivery.Seq)));
    }

    private static async Task<bool> ExistsAsync(WebhookStore store, ClaimsPrincipal user, string webhookId) =>
        SessionRoutes.IsWellFormed(webhookId) && await store.GetAsync(user.TenantId(), webhookId) is not null;

    private static IWebhookGrain Webhook(IClusterClient cluster, ClaimsPrincipal user, string webhookId) =>
        cluster.GetGrain<IWebhookGrain>(SessionKey.Format(user.TenantId(), webhookId));

    private static ProblemHttpResult NotFound(string webhookId) => Problem.NotFound($"Webhook '{webhookId}'");
}
