using System.Security.Claims;
using OrleansSaas.Contracts.Sessions;
using OrleansSaas.Contracts.Simulation;
using OrleansSaas.Gateway.Audit;
using OrleansSaas.Gateway.Auth;
using OrleansSaas.Gateway.Problems;
using OrleansSaas.Gateway.Sessions;

namespace OrleansSaas.Gateway.Simulation;

public sealed record ScanRequest(string? PhoneNumber, string? ProfileName);

public sealed record EnterCodeRequest(string? PhoneNumber, string? Code, string? ProfileName);

/// <summary>
/// Development only (Simulator:DevEndpoints): plays the phone that scans a session's QR code on the
/// simulated network. Off by default, so a production gateway never exposes it.
/// </summary>
public static class SimulatorEndpoints
{
    public static void MapSimulatorEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/sessions/{sessionId}/dev").WithTags("Development").ProducesCommonProblems().RequireAuthorization(Scopes.SessionsWrite).WithAudit();
        group.MapPost("/scan", Scan).Produces<SessionView>().ProducesProblem(409);
        group.MapPost("/enter-code", EnterCode).Produces<SessionView>().ProducesProblem(409);
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
        return outcome == PairOutcome.Paired
            ? TypedResults.Ok(await session.Get())
            : Problem.Conflict("The QR code changed or expired before the scan; fetch it again.");
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
        return outcome == PairOutcome.Paired
            ? TypedResults.Ok(await session.Get())
            : Problem.Conflict("The pairing code is wrong, expired, or was issued for another number.");
    }

    private static string? ValidatePhone(string? phoneNumber, string? profileName, FieldErrors errors)
    {
        var phone = PhoneNumberField.Normalise(phoneNumber, out var phoneError);
        if (phoneError is not null) errors.Add("phoneNumber", phoneError);
        if (profileName is { } profile && (profile.Length > 100 || profile.Any(char.IsControl)))
            errors.Add("profileName", "must be at most 100 printable characters.");
        return phone;
    }
}
