using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using OrleansSaas.Contracts.Sessions;
using OrleansSaas.Gateway.Auth;
using OrleansSaas.Gateway.Problems;
using QRCoder;

namespace OrleansSaas.Gateway.Sessions;

public static class SessionEndpoints
{
    private const int MaxNameLength = 100;

    public static RouteGroupBuilder MapSessionEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/sessions").WithTags("Sessions");
        group.MapPost("/", Create).RequireAuthorization(Scopes.SessionsWrite);
        group.MapGet("/{sessionId}", Get).RequireAuthorization(Scopes.SessionsRead);
        group.MapGet("/{sessionId}/qr", GetQr).RequireAuthorization(Scopes.SessionsRead);
        group.MapPost("/{sessionId}/start", Start).RequireAuthorization(Scopes.SessionsWrite);
        group.MapPost("/{sessionId}/logout", Logout).RequireAuthorization(Scopes.SessionsWrite);
        return group;
    }

    private static async Task<Results<Created<SessionView>, ValidationProblem>> Create(
        [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] CreateSessionRequest? request, ClaimsPrincipal user, IClusterClient cluster)
    {
        var name = request?.Name?.Trim() ?? "default";
        var errors = new FieldErrors();
        if (name.Length is 0 or > MaxNameLength || name.Any(char.IsControl))
            errors.Add("name", $"must be 1–{MaxNameLength} printable characters.");
        if (errors.Any) return Problem.Invalid(errors);

        var sessionId = $"ses_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
        var reply = await cluster.Session(user, sessionId).Create(new CreateSessionCommand(name, request?.Engine ?? "simulated"));
        if (reply.Error == SessionError.UnknownEngine) return Problem.Invalid("engine", "is not an engine this cluster offers (e.g. \"simulated\").");
        return TypedResults.Created($"/v1/sessions/{sessionId}", reply.Session);
    }

    private static async Task<Results<Ok<SessionView>, ProblemHttpResult>> Get(string sessionId, ClaimsPrincipal user, IClusterClient cluster)
    {
        var session = SessionRoutes.IsWellFormed(sessionId) ? await cluster.Session(user, sessionId).Get() : null;
        return session is null ? Problem.NotFound($"Session '{sessionId}'") : TypedResults.Ok(session);
    }

    /// <summary>The current QR code as JSON (raw value), or as a PNG with ?format=png or Accept: image/png.</summary>
    private static async Task<IResult> GetQr(string sessionId, string? format, HttpRequest request, ClaimsPrincipal user, IClusterClient cluster)
    {
        if (!SessionRoutes.IsWellFormed(sessionId)) return Problem.NotFound($"Session '{sessionId}'");
        var reply = await cluster.Session(user, sessionId).GetQr();
        if (reply.Error != SessionError.None) return ErrorResult(reply.Error, sessionId);
        var qr = reply.Qr!;
        var wantsPng = string.Equals(format, "png", StringComparison.OrdinalIgnoreCase)
            || request.Headers.Accept.ToString().Contains("image/png", StringComparison.OrdinalIgnoreCase);
        return wantsPng
            ? TypedResults.File(PngByteQRCodeHelper.GetQRCode(qr.Value, QRCodeGenerator.ECCLevel.M, 8), "image/png")
            : TypedResults.Ok(qr);
    }

    private static async Task<IResult> Start(string sessionId, ClaimsPrincipal user, IClusterClient cluster) =>
        await CommandAsync(sessionId, user, cluster, session => session.Start());

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
        SessionError.NotPairing => Problem.Conflict("The session is not pairing, so it has no QR code; start it to pair again."),
        _ => Problem.Conflict($"The session cannot do this now ({error})."),
    };
}
