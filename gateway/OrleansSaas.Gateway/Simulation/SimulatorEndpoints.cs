using System.Security.Claims;
using OrleansSaas.Contracts.Messaging;
using OrleansSaas.Contracts.Sessions;
using OrleansSaas.Contracts.Simulation;
using OrleansSaas.Gateway.Audit;
using OrleansSaas.Gateway.Auth;
using OrleansSaas.Gateway.Problems;
using OrleansSaas.Gateway.Sessions;

namespace OrleansSaas.Gateway.Simulation;

public sealed record ScanRequest(string? PhoneNumber, string? ProfileName);

public sealed record EnterCodeRequest(string? PhoneNumber, string? Code, string? ProfileName);

/// <param name="NetworkMessageId">The network's id of the message; delivering the same id again is a redelivery.</param>
public sealed record InboundRequest(string? From, string? Text, string? NetworkMessageId);

/// <summary>
/// Development only (Simulator:DevEndpoints): plays the phone that scans a session's QR code on the
/// simulated network, and the network handing a session a message. Off by default, so a production gateway never exposes it.
/// </summary>
public static class SimulatorEndpoints
{
    public static void MapSimulatorEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/sessions/{sessionId}/dev").WithTags("Development").ProducesCommonProblems().RequireAuthorization(Scopes.SessionsWrite).WithAudit();
        group.MapPost("/scan", Scan).Produces<SessionView>().ProducesProblem(409);
        group.MapPost("/enter-code", EnterCode).Produces<SessionView>().ProducesProblem(409);
        group.MapPost("/inbound", Inbound).Produces(204).ProducesProblem(409);
    }

    /// <summary>The network hands the session a text message, as the engine does (and as it does again when it redelivers).</summary>
    private static async Task<IResult> Inbound(string sessionId, InboundRequest request, ClaimsPrincipal user, IClusterClient cluster)
    {
        var errors = new FieldErrors();
        var from = PhoneNumberField.Normalise(request.From, out var fromError);
        if (fromError is not null) errors.Add("from", fromError);
        if (string.IsNullOrEmpty(request.Text) || Messaging.MessageContentValidator.Characters(request.Text) > 4096) errors.Add("text", "is required (at most 4096 characters).");
        if (string.IsNullOrEmpty(request.NetworkMessageId) || request.NetworkMessageId.Length > 128 || request.NetworkMessageId.Any(c => c is < '!' or > '~'))
            errors.Add("networkMessageId", "is required: 1–128 printable ASCII characters.");
        if (errors.Any) return Problem.Invalid(errors);
        if (!SessionRoutes.IsWellFormed(sessionId) || await cluster.Session(user, sessionId).Get() is null) return Problem.NotFound($"Session '{sessionId}'");

        var engineEvents = cluster.GetGrain<ISessionEngineEvents>(SessionKey.Format(user.TenantId(), sessionId));
        var stored = await engineEvents.OnInbound(new InboundMessage(request.NetworkMessageId!, from!, MessageContent.PlainText(request.Text!), DateTimeOffset.UtcNow));
        return stored ? TypedResults.NoContent() : Problem.Conflict("The session is not connected, so the network keeps the message.");
    }

    private static async Task<IResult> Scan(string sessionId, ScanRequest request, ClaimsPrincipal user, IClusterClient cluster)
    {
        var errors = new FieldErrors();
        var phone = ValidatePhone(request.PhoneNumber, request.ProfileName, errors);
        if (errors.Any) return Problem.Invalid(errors);
        if (!SessionRoutes.IsWellFormed(sessionId)) return Problem.NotFound($"Session '{sessionId}'");

        var session = cluster.Session(user, sessionId);
        var qr = await session.GetQr();
        if (qr.Error != SessionError.None) return SessionEndpoints.ErrorResult(qr.Error, sessionId);
        var outcome = await cluster.GetGrain<ISimulatedPhoneGrain>(phone!).ScanQr(qr.Qr!.Value, request.ProfileName ?? $"Phone {phone}");
        return outcome switch
        {
            PairOutcome.Paired => TypedResults.Ok(await session.Get()),
            PairOutcome.LinkedToAnotherTenant => NumberTaken(),
            _ => Problem.Conflict("The QR code changed or expired before the scan; fetch it again."),
        };
    }

    /// <summary>The phone's user types the pairing code the session showed (see POST /v1/sessions/{id}/pairing-code).</summary>
    private static async Task<IResult> EnterCode(string sessionId, EnterCodeRequest request, ClaimsPrincipal user, IClusterClient cluster)
    {
        var errors = new FieldErrors();
        var phone = ValidatePhone(request.PhoneNumber, request.ProfileName, errors);
        if (string.IsNullOrWhiteSpace(request.Code) || request.Code.Length > 16) errors.Add("code", "is required (the code from the pairing-code reply).");
        if (errors.Any) return Problem.Invalid(errors);
        if (!SessionRoutes.IsWellFormed(sessionId)) return Problem.NotFound($"Session '{sessionId}'");

        var session = cluster.Session(user, sessionId);
        if (await session.Get() is null) return Problem.NotFound($"Session '{sessionId}'");
        var key = SessionKey.Format(user.TenantId(), sessionId);
        var outcome = await cluster.GetGrain<ISimulatedPhoneGrain>(phone!).EnterPairingCode(key, request.Code!.Trim().ToUpperInvariant(), request.ProfileName ?? $"Phone {phone}");
        return outcome switch
        {
            PairOutcome.Paired => TypedResults.Ok(await session.Get()),
            PairOutcome.LinkedToAnotherTenant => NumberTaken(),
            _ => Problem.Conflict("The pairing code is wrong, expired, or was issued for another number."),
        };
    }

    private static IResult NumberTaken() =>
        Problem.Conflict("The number is linked to another account's device; it must log out before the number can be linked here.");

    private static string? ValidatePhone(string? phoneNumber, string? profileName, FieldErrors errors)
    {
        var phone = PhoneNumberField.Normalise(phoneNumber, out var phoneError);
        if (phoneError is not null) errors.Add("phoneNumber", phoneError);
        if (profileName is { } profile && (profile.Length > 100 || profile.Any(char.IsControl)))
            errors.Add("profileName", "must be at most 100 printable characters.");
        return phone;
    }
}
