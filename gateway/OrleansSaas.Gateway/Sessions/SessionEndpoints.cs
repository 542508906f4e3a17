using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using OrleansSaas.Contracts.Sessions;
using OrleansSaas.Data.Sessions;
using OrleansSaas.Gateway.Audit;
using OrleansSaas.Gateway.Auth;
using OrleansSaas.Gateway.Problems;
using QRCoder;

namespace OrleansSaas.Gateway.Sessions;

public static class SessionEndpoints
{
    private const int MaxNameLength = 100;
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 200;

    public static RouteGroupBuilder MapSessionEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/sessions").WithTags("Sessions").ProducesCommonProblems().WithAudit();
        group.MapPost("/", Create).RequireAuthorization(Scopes.SessionsWrite);
        group.MapGet("/", List).RequireAuthorization(Scopes.SessionsRead);
        group.MapGet("/{sessionId}", Get).RequireAuthorization(Scopes.SessionsRead);
        group.MapDelete("/{sessionId}", Delete).RequireAuthorization(Scopes.SessionsWrite).Produces(204);
        group.MapGet("/{sessionId}/me", Me).RequireAuthorization(Scopes.SessionsRead).Produces<MeResponse>().ProducesProblem(409);
        group.MapGet("/{sessionId}/qr", GetQr).RequireAuthorization(Scopes.SessionsRead)
            .Produces<QrCodeView>().Produces<QrImageResponse>().Produces(200, contentType: "image/png").ProducesProblem(409);
        group.MapPost("/{sessionId}/pairing-code", RequestPairingCode).RequireAuthorization(Scopes.SessionsWrite)
            .Produces<PairingCodeView>().ProducesProblem(409);
        group.MapPatch("/{sessionId}/settings", UpdateSettings).RequireAuthorization(Scopes.SessionsWrite).Produces<SessionView>();
        group.MapPost("/{sessionId}/start", Start).RequireAuthorization(Scopes.SessionsWrite).Produces<SessionView>();
        group.MapPost("/{sessionId}/stop", Stop).RequireAuthorization(Scopes.SessionsWrite).Produces<SessionView>();
        group.MapPost("/{sessionId}/restart", Restart).RequireAuthorization(Scopes.SessionsWrite).Produces<SessionView>();
        group.MapPost("/{sessionId}/typing", SendTyping).RequireAuthorization(Scopes.MessagesSend).Produces(202).ProducesProblem(409);
        group.MapGet("/{sessionId}/presence", GetPresence).RequireAuthorization(Scopes.MessagesRead).Produces<PresenceResponse>();
        group.MapPost("/{sessionId}/logout", Logout).RequireAuthorization(Scopes.SessionsWrite).Produces<SessionView>();
        return group;
    }

    private static async Task<Results<Created<SessionView>, ValidationProblem, ProblemHttpResult>> Create(
        [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] CreateSessionRequest? request, HttpRequest http, ClaimsPrincipal user, IClusterClient cluster)
    {
        // No body means "all defaults"; a body that is JSON null is a mistake, not a request for defaults.
        if (request is null && http.ContentLength > 0) return Problem.Invalid("body", "must be a JSON object.");
        var name = request?.Name?.Trim() ?? "default";
        var errors = new FieldErrors();
        if (name.Length is 0 or > MaxNameLength || name.Any(char.IsControl))
            errors.Add("name", $"must be 1–{MaxNameLength} printable characters.");
        var settings = ValidateSettings(request?.Settings, errors, "settings.");
        foreach (var field in request?.Settings?.EngineFields?.Keys ?? Enumerable.Empty<string>())
            errors.Add($"settings.{field}", "is not a field of settings (engine settings go in the engine's own field, e.g. cloudApi).");
        if (errors.Any) return Problem.Invalid(errors);

        // Version 7 ids sort by creation time, so listing by id is listing newest first.
        var sessionId = $"ses_{Guid.CreateVersion7():N}";
        var reply = await cluster.Session(user, sessionId).Create(
            new CreateSessionCommand(name, request?.Engine ?? "simulated", settings, EngineFields(request?.EngineFields)));
        if (reply.Error == SessionError.UnknownEngine) return Problem.Invalid("engine", "is not an engine this cluster offers (see GET /v1/engines).");
        if (reply.Error == SessionError.InvalidSettings) return SettingsProblem(reply);
        if (reply.Error == SessionError.QuotaExceeded) return Problem.QuotaExceeded("The plan's maximum number of sessions is reached; delete a session or upgrade the plan.");
        return TypedResults.Created($"/v1/sessions/{sessionId}", reply.Session);
    }

    private static async Task<Results<Ok<SessionListResponse>, ValidationProblem>> List(
        string? status, int? limit, string? cursor, ClaimsPrincipal user, SessionRegistry registry)
    {
        var errors = new FieldErrors();
        var statusFilter = QueryValues.Name<SessionStatus>(status, "status", errors);
        if (limit is < 1 or > MaxPageSize) errors.Add("limit", $"must be between 1 and {MaxPageSize}.");
        if (cursor is not null && !SessionRoutes.IsWellFormed(cursor)) errors.Add("cursor", "is not a cursor this API returned.");
        if (errors.Any) return Problem.Invalid(errors);
        var size = limit ?? DefaultPageSize;
        var page = await registry.ListAsync(user.TenantId(), statusFilter, cursor, size + 1);
        var items = page.Take(size).ToList();
        return TypedResults.Ok(new SessionListResponse(items, page.Count > size ? items[^1].Id : null));
    }

    private static async Task<IResult> Me(string sessionId, ClaimsPrincipal user, IClusterClient cluster)
    {
        var session = SessionRoutes.IsWellFormed(sessionId) ? await cluster.Session(user, sessionId).Get() : null;
        if (session is null) return Problem.NotFound($"Session '{sessionId}'");
        return session.PhoneNumber is null
            ? ErrorResult(SessionError.NotPaired, sessionId)
            : TypedResults.Ok(new MeResponse(session.PhoneNumber, session.ProfileName));
    }

    private static async Task<IResult> RequestPairingCode(string sessionId, PairingCodeRequest request, ClaimsPrincipal user, IClusterClient cluster)
    {
        var phone = PhoneNumberField.Normalise(request.PhoneNumber, out var error);
        if (error is not null) return Problem.Invalid("phoneNumber", error);
        if (!SessionRoutes.IsWellFormed(sessionId)) return Problem.NotFound($"Session '{sessionId}'");
        var reply = await cluster.Session(user, sessionId).RequestPairingCode(phone!);
        return reply.Error == SessionError.None ? TypedResults.Ok(reply.Code) : ErrorResult(reply.Error, sessionId);
    }

    private static async Task<IResult> UpdateSettings(string sessionId, SessionSettingsRequest request, ClaimsPrincipal user, IClusterClient cluster)
    {
        var errors = new FieldErrors();
        var settings = ValidateSettings(request, errors, "");
        if (errors.Any) return Problem.Invalid(errors);
        if (!SessionRoutes.IsWellFormed(sessionId)) return Problem.NotFound($"Session '{sessionId}'");
        var session = cluster.Session(user, sessionId);
        // The engine's part first: it may refuse a field, and then nothing is changed.
        if (EngineFields(request.EngineFields) is { } engineFields)
        {
            var engineReply = await session.UpdateEngineSettings(engineFields);
            if (engineReply.Error == SessionError.InvalidSettings) return SettingsProblem(engineReply);
            if (engineReply.Error != SessionError.None) return ErrorResult(engineReply.Error, sessionId);
            if (request.MessagesPerSecond is null && request.RecipientGapMilliseconds is null) return TypedResults.Ok(engineReply.Session);
        }
        var reply = await session.UpdateSettings(settings!);
        return reply.Error == SessionError.None ? TypedResults.Ok(reply.Session) : ErrorResult(reply.Error, sessionId);
    }

    /// <summary>Extra request fields, for the engine to take or refuse, as raw JSON by field name.</summary>
    private static Dictionary<string, string>? EngineFields(Dictionary<string, System.Text.Json.JsonElement>? fields) =>
        fields is { Count: > 0 } ? fields.ToDictionary(f => f.Key, f => f.Value.GetRawText(), StringComparer.Ordinal) : null;

    private static ValidationProblem SettingsProblem(SessionReply reply)
    {
        var errors = new FieldErrors();
        foreach (var (field, message) in reply.Errors ?? new Dictionary<string, string>()) errors.Add(field, message);
        return Problem.Invalid(errors);
    }

    private static SessionSettings? ValidateSettings(SessionSettingsRequest? request, FieldErrors errors, string prefix)
    {
        if (request is null) return null;
        if (request.MessagesPerSecond is { } rate && (double.IsNaN(rate) || rate < 0.1 || rate > 1000))
            errors.Add($"{prefix}messagesPerSecond", "must be between 0.1 and 1000.");
        if (request.RecipientGapMilliseconds is < 0 or > 600_000)
            errors.Add($"{prefix}recipientGapMilliseconds", "must be between 0 and 600000.");
        return new SessionSettings(request.MessagesPerSecond, request.RecipientGapMilliseconds);
    }

    private static async Task<IResult> SendTyping(string sessionId, TypingRequest request, ClaimsPrincipal user, IClusterClient cluster)
    {
        var errors = new FieldErrors();
        var to = PhoneNumberField.Normalise(request.To, out var toError);
        if (toError is not null) errors.Add("to", toError);
        if (request.DurationSeconds is < 1 or > 25) errors.Add("durationSeconds", "must be between 1 and 25.");
        if (errors.Any) return Problem.Invalid(errors);
        if (!SessionRoutes.IsWellFormed(sessionId)) return Problem.NotFound($"Session '{sessionId}'");
        var error = await cluster.Session(user, sessionId).SendTyping(to!, TimeSpan.FromSeconds(request.DurationSeconds ?? 25));
        return error == SessionError.None ? TypedResults.Accepted((string?)null) : ErrorResult(error, sessionId);
    }

    private static async Task<IResult> GetPresence(string sessionId, ClaimsPrincipal user, IClusterClient cluster)
    {
        var typing = SessionRoutes.IsWellFormed(sessionId) ? await cluster.Session(user, sessionId).GetPresence() : null;
        return typing is null ? Problem.NotFound($"Session '{sessionId}'") : TypedResults.Ok(new PresenceResponse(typing));
    }

    private static async Task<IResult> Delete(string sessionId, ClaimsPrincipal user, IClusterClient cluster)
    {
        if (!SessionRoutes.IsWellFormed(sessionId)) return Problem.NotFound($"Session '{sessionId}'");
        var error = await cluster.Session(user, sessionId).Delete();
        return error == SessionError.None ? TypedResults.NoContent() : ErrorResult(error, sessionId);
    }

    private static async Task<Results<Ok<SessionView>, ProblemHttpResult>> Get(string sessionId, ClaimsPrincipal user, IClusterClient cluster)
    {
        var session = SessionRoutes.IsWellFormed(sessionId) ? await cluster.Session(user, sessionId).Get() : null;
        return session is null ? Problem.NotFound($"Session '{sessionId}'") : TypedResults.Ok(session);
    }

    /// <summary>The current QR code as JSON (raw value); as a PNG with ?format=png or Accept: image/png; as JSON with the PNG in base64 with ?format=base64.</summary>
    private static async Task<IResult> GetQr(string sessionId, string? format, HttpRequest request, ClaimsPrincipal user, IClusterClient cluster)
    {
        if (!SessionRoutes.IsWellFormed(sessionId)) return Problem.NotFound($"Session '{sessionId}'");
        var reply = await cluster.Session(user, sessionId).GetQr();
        if (reply.Error != SessionError.None) return ErrorResult(reply.Error, sessionId);
        var qr = reply.Qr!;
        if (string.Equals(format, "base64", StringComparison.OrdinalIgnoreCase))
            return TypedResults.Ok(new QrImageResponse(qr.Value, qr.Sequence, qr.ExpiresAt, "image/png", Convert.ToBase64String(Png(qr.Value))));
        var wantsPng = string.Equals(format, "png", StringComparison.OrdinalIgnoreCase)
            || request.Headers.Accept.ToString().Contains("image/png", StringComparison.OrdinalIgnoreCase);
        return wantsPng ? TypedResults.File(Png(qr.Value), "image/png") : TypedResults.Ok(qr);
    }

    private static byte[] Png(string value) => PngByteQRCodeHelper.GetQRCode(value, QRCodeGenerator.ECCLevel.M, 8);

    private static async Task<IResult> Start(string sessionId, ClaimsPrincipal user, IClusterClient cluster) =>
        await CommandAsync(sessionId, user, cluster, session => session.Start());

    private static async Task<IResult> Stop(string sessionId, ClaimsPrincipal user, IClusterClient cluster) =>
        await CommandAsync(sessionId, user, cluster, session => session.Stop());

    private static async Task<IResult> Restart(string sessionId, ClaimsPrincipal user, IClusterClient cluster) =>
        await CommandAsync(sessionId, user, cluster, async session =>
        {
            var stopped = await session.Stop();
            return stopped == SessionError.None ? await session.Start() : stopped;
        });

    private static async Task<IResult> Logout(string sessionId, ClaimsPrincipal user, IClusterClient cluster) =>
        await CommandAsync(sessionId, user, cluster, session => session.Logout());

    private static async Task<IResult> CommandAsync(string sessionId, ClaimsPrincipal user, IClusterClient cluster, Func<ISessionGrain, Task<SessionError>> command)
    {
        if (!SessionRoutes.IsWellFormed(sessionId)) return Problem.NotFound($"Session '{sessionId}'");
        var session = cluster.Session(user, sessionId);
        var error = await command(session);
        return error == SessionError.None ? TypedResults.Ok(await session.Get()) : ErrorResult(error, sessionId);
    }

    public static IResult ErrorResult(SessionError error, string sessionId) => error switch
    {
        SessionError.NotFound => Problem.NotFound($"Session '{sessionId}'"),
        SessionError.NotPaired => Problem.Conflict("The session is not paired with a phone yet; scan its QR code first."),
        SessionError.LoggedOut => Problem.Conflict("The session is logged out; start it and pair it again."),
        SessionError.NotPairing => Problem.Conflict("The session is not pairing, so it has no QR code or pairing code; start it to pair again."),
        SessionError.UnsupportedMessageType => Problem.Unprocessable("type", "is a message type this session's engine cannot carry (see messageTypes in GET /v1/engines)."),
        SessionError.OutsideWindow => Problem.Unprocessable("type",
            "only a template can be sent: the recipient's last message is more than 24 hours old (or there is none), so the customer-service window is closed."),
        SessionError.IdempotencyConflict => TypedResults.Problem(statusCode: 422, type: ProblemTypes.IdempotencyConflict,
            title: "Idempotency-Key reused with a different request", detail: "Use a new Idempotency-Key for a different request."),
        _ => Problem.Conflict($"The session cannot do this now ({error})."),
    };
}
