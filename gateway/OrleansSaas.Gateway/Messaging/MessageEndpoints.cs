using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OrleansSaas.Contracts.Engines;
using OrleansSaas.Contracts.Messaging;
using OrleansSaas.Contracts.Sessions;
using OrleansSaas.Data.Media;
using OrleansSaas.Data.Messaging;
using OrleansSaas.Gateway.Audit;
using OrleansSaas.Gateway.Auth;
using OrleansSaas.Gateway.Problems;
using OrleansSaas.Gateway.Sessions;
using OrleansSaas.Outbound;

namespace OrleansSaas.Gateway.Messaging;

public sealed record MessageListResponse(IReadOnlyList<MessageResponse> Items, string? NextCursor);

/// <summary>
/// Sending goes through the session grain (it owns the queue); reading history goes straight to the
/// messages table, scoped by the authenticated tenant, so reads never queue behind a busy session.
/// </summary>
public static class MessageEndpoints
{
    private const int MaxIdempotencyKeyLength = 255;
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 200;

    public static RouteGroupBuilder MapMessageEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/sessions/{sessionId}/messages").WithTags("Messages").ProducesCommonProblems().WithAudit();
        group.MapPost("/", Send).RequireAuthorization(Scopes.MessagesSend)
            .Produces<MessageResponse>(202).ProducesProblem(409).ProducesProblem(422).ProducesProblem(429);
        group.MapGet("/", List).RequireAuthorization(Scopes.MessagesRead).Produces<MessageListResponse>();
        group.MapGet("/{messageId}", Get).RequireAuthorization(Scopes.MessagesRead);
        group.MapPost("/{messageId}/read", MarkRead).RequireAuthorization(Scopes.MessagesSend).Produces(204).ProducesProblem(409);
        return group;
    }

    private static async Task<IResult> Send(string sessionId, SendMessageRequest request,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, HttpContext http, ClaimsPrincipal user, IClusterClient cluster, MediaStore media,
        OutboundGuard guard)
    {
        var errors = new FieldErrors();
        if (idempotencyKey is not null && (idempotencyKey.Length is 0 or > MaxIdempotencyKeyLength || idempotencyKey.Any(c => c is < '!' or > '~')))
            errors.Add("Idempotency-Key", $"must be 1–{MaxIdempotencyKeyLength} printable ASCII characters.");
        string? toError = null;
        var toUserId = PeerId.IsUserId(request.To);
        var to = toUserId ? request.To : PhoneNumberField.Normalise(request.To, out toError);
        if (toError is not null) errors.Add("to", toError);
        var content = MessageContentValidator.Validate(request, errors);
        var mediaReference = content is null ? null : MessageContentValidator.MediaObject(request, content.Type);
        if (mediaReference?.MediaId is { } mediaId)
            await CheckMediaAsync(content!.Type, mediaId, user.TenantId(), media, errors);
        // Refused before it is queued: the engine (or Meta, for the Cloud API) would fetch it later.
        else if (mediaReference?.Link is { } link && await guard.CheckUrlAsync(link, http.RequestAborted) is { } refused)
            errors.Add($"{content!.Type}.link", refused);
        if (errors.Any) return Problem.Invalid(errors);
        if (!SessionRoutes.IsWellFormed(sessionId)) return Problem.NotFound($"Session '{sessionId}'");
        if (toUserId && await EngineOfAsync(sessionId, user, cluster) is { UserIdPeers: false } engine)
            return Problem.Unprocessable("to", $"is a business-scoped user id; the {engine.Name} engine addresses peers by phone number only (E.164, e.g. +14155550123).");

        var reply = await cluster.Session(user, sessionId).Send(new SendMessageCommand(to!, content!, idempotencyKey));
        if (reply.Error == SessionError.RateLimited)
            return Problem.RateLimited(http.Response, reply.RetryAfter ?? TimeSpan.FromSeconds(1), "The plan's messages per minute are used up; retry after the Retry-After delay.");
        if (reply.Error == SessionError.UnknownMessage)
            return Problem.Invalid(content!.Type == "reaction" ? "reaction.messageId" : "replyTo", "is not a message of this session.");
        if (reply.Error != SessionError.None) return SessionEndpoints.ErrorResult(reply.Error, sessionId);
        return TypedResults.Accepted($"/v1/sessions/{sessionId}/messages/{reply.Message!.Id}", MessageResponse.From(reply.Message));
    }

    /// <summary>An uploaded media id must be the tenant's own and of a kind the message type can carry.</summary>
    private static async Task CheckMediaAsync(string type, string mediaId, string tenantId, MediaStore media, FieldErrors errors)
    {
        var stored = await media.GetAsync(tenantId, mediaId);
        MediaKind? needed = type switch
        {
            "image" => MediaKind.Image,
            "video" => MediaKind.Video,
            "audio" or "voice" => MediaKind.Audio,
            "sticker" => MediaKind.Sticker,
            _ => null, // a document may carry any file
        };
        if (stored is null) errors.Add($"{type}.mediaId", "is not a media id of this tenant (upload it with POST /v1/media).");
        else if (needed is not null && stored.Kind != needed) errors.Add($"{type}.mediaId", $"is {stored.Kind.ToDb()} media; a {type} message needs {needed.Value.ToDb()}.");
    }

    private static async Task<IResult> MarkRead(string sessionId, string messageId, ClaimsPrincipal user, IClusterClient cluster)
    {
        if (!SessionRoutes.IsWellFormed(sessionId)) return Problem.NotFound($"Session '{sessionId}'");
        var error = await cluster.Session(user, sessionId).MarkRead(messageId);
        return error switch
        {
            SessionError.None => TypedResults.NoContent(),
            SessionError.UnknownMessage => Problem.NotFound($"Inbound message '{messageId}'"),
            _ => SessionEndpoints.ErrorResult(error, sessionId),
        };
    }

    /// <summary>Newest first. Filters: direction, status, peer (E.164), from (inclusive) and to (exclusive) as ISO 8601 times.</summary>
    private static async Task<IResult> List(string sessionId, string? direction, string? status, string? peer, string? from, string? to,
        int? limit, string? cursor, ClaimsPrincipal user, IClusterClient cluster, MessageStore messages)
    {
        var errors = new FieldErrors();
        var directionFilter = QueryValues.Name<MessageDirection>(direction, "direction", errors);
        var statusFilter = QueryValues.Name<MessageStatus>(status, "status", errors);
        string? peerFilter = null;
        if (peer is not null)
        {
            peerFilter = PeerId.IsUserId(peer) ? peer : PhoneNumberField.Normalise(peer, out _);
            if (peerFilter is null) errors.Add("peer", "must be a phone number in E.164 form (e.g. +14155550123) or a business-scoped user id (e.g. US.13491208655302741918).");
        }
        var fromFilter = QueryValues.Time(from, "from", errors);
        var toFilter = QueryValues.Time(to, "to", errors);
        var (size, before) = QueryValues.SequencePage(limit, cursor, DefaultPageSize, MaxPageSize, errors);
        if (errors.Any) return Problem.Invalid(errors);
        if (!await SessionExistsAsync(sessionId, user, cluster)) return Problem.NotFound($"Session '{sessionId}'");

        var query = new MessageQuery(directionFilter, before, size, statusFilter, peerFilter, fromFilter, toFilter);
        var page = await messages.ListAsync(user.TenantId(), sessionId, query);
        return TypedResults.Ok(new MessageListResponse(page.Items.Select(MessageResponse.From).ToList(), page.NextBefore?.ToString()));
    }

    private static async Task<Results<Ok<MessageResponse>, ProblemHttpResult>> Get(string sessionId, string messageId, ClaimsPrincipal user, IClusterClient cluster, MessageStore messages)
    {
        var message = await SessionExistsAsync(sessionId, user, cluster) ? await messages.GetAsync(user.TenantId(), sessionId, messageId) : null;
        return message is null ? Problem.NotFound($"Message '{messageId}'") : TypedResults.Ok(MessageResponse.From(message));
    }

    /// <summary>The session's engine; null when the session does not exist (the send then answers not found as usual).</summary>
    private static async Task<EngineDescriptor?> EngineOfAsync(string sessionId, ClaimsPrincipal user, IClusterClient cluster) =>
        await cluster.Session(user, sessionId).Get() is { } session
            ? (await cluster.GetGrain<IEngineCatalogGrain>(0).List()).FirstOrDefault(e => e.Name == session.Engine)
            : null;

    private static async Task<bool> SessionExistsAsync(string sessionId, ClaimsPrincipal user, IClusterClient cluster) =>
        SessionRoutes.IsWellFormed(sessionId) && await cluster.Session(user, sessionId).Get() is not null;
}
