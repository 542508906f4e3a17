using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansSaas.Data.Events;
using OrleansSaas.Gateway.Auth;
using OrleansSaas.Gateway.Problems;

namespace OrleansSaas.Gateway.Events;

/// <summary>
/// The tenant's event log for clients that pull (read after a sequence number, then acknowledge) or stream
/// (Server-Sent Events, resumable with Last-Event-ID). Reads go straight to the events table, scoped by tenant.
/// </summary>
public static partial class EventEndpoints
{
    private const string DefaultConsumer = "default";
    private const int DefaultPageSize = 100;
    private const int MaxPageSize = 1000;

    public static RouteGroupBuilder MapEventEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/events").WithTags("Events").ProducesCommonProblems().RequireAuthorization(Scopes.EventsRead);
        group.MapGet("/", Pull).Produces<EventPage>();
        group.MapPost("/ack", Ack).ProducesProblem(422);
        group.MapGet("/stream", Stream).Produces(200, contentType: "text/event-stream");
        return group;
    }

    /// <summary>Events after <c>after</c>, or when it is absent after the consumer's acknowledged position: a consumer that crashed before acknowledging reads the same events again.</summary>
    private static async Task<Results<Ok<EventPage>, ValidationProblem>> Pull(
        string? after, int? limit, string? consumer, string? session, string? type, ClaimsPrincipal user, EventStore events)
    {
        var errors = new FieldErrors();
        var afterSeq = EventQuery.Sequence(after, "after", errors);
        if (limit is < 1 or > MaxPageSize) errors.Add("limit", $"must be between 1 and {MaxPageSize}.");
        var name = ConsumerName(consumer, errors);
        var filter = EventQuery.Filter(session, type, errors);
        if (errors.Any) return Problem.Invalid(errors);

        var tenantId = user.TenantId();
        var acked = await events.AckedAsync(tenantId, name);
        var from = afterSeq ?? acked;
        var items = await events.ListAsync(tenantId, from, limit ?? DefaultPageSize, filter);
        return TypedResults.Ok(new EventPage(items.Select(EventResponse.From).ToList(), items.Count > 0 ? items[^1].Seq : from, name, acked));
    }

    /// <summary>Records that the consumer has processed everything up to <c>seq</c>; positions only move forward.</summary>
    private static async Task<Results<Ok<AckResponse>, ValidationProblem, ProblemHttpResult>> Ack(AckRequest request, ClaimsPrincipal user, EventStore events)
    {
        var errors = new FieldErrors();
        if (request.Seq is not { } seq || seq < 0) errors.Add("seq", "is required: the sequence number of the last event processed (0 or more).");
        var name = ConsumerName(request.Consumer, errors);
        if (errors.Any) return Problem.Invalid(errors);

        var acked = await events.AckAsync(user.TenantId(), name, request.Seq!.Value);
        return acked is { } position
            ? TypedResults.Ok(new AckResponse(name, position))
            // Well-formed, but the log has no such event yet: refused by state, not an invalid field.
            : Problem.Unprocessable("seq", "is beyond the newest event.");
    }

    private static async Task<IResult> Stream(HttpContext http, string? after, string? session, string? type, ClaimsPrincipal user, EventStore events)
    {
        var errors = new FieldErrors();
        var lastEventId = EventQuery.Sequence(http.Request.Headers["Last-Event-ID"].FirstOrDefault(), "Last-Event-ID", errors);
        var afterSeq = EventQuery.Sequence(after, "after", errors);
        var filter = EventQuery.Filter(session, type, errors);
        if (errors.Any) return Problem.Invalid(errors);

        var tenantId = user.TenantId();
        // A reconnecting client resumes after the last event it saw; a new one starts with what happens from now on.
        var from = lastEventId ?? afterSeq ?? await events.LastSeqAsync(tenantId);
        return new EventStreamResult(events, tenantId, from, filter);
    }

    private static string ConsumerName(string? consumer, FieldErrors errors)
    {
        if (consumer is null) return DefaultConsumer;
        if (!ConsumerPattern().IsMatch(consumer)) errors.Add("consumer", "must be 1–64 letters, digits, '.', '_' or '-'.");
        return consumer;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex ConsumerPattern();
}
