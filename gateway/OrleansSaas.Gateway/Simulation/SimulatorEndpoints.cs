using System.Security.Claims;
using OrleansSaas.Contracts.Simulation;
using OrleansSaas.Gateway.Problems;
using OrleansSaas.Gateway.Sessions;

namespace OrleansSaas.Gateway.Simulation;

public sealed record ScanRequest(string? PhoneNumber, string? ProfileName);

/// <summary>
/// Development only (Simulator:DevEndpoints): plays the phone that scans a session's QR code on the
/// simulated network. Off by default, so a production gateway never exposes it.
/// </summary>
public static class SimulatorEndpoints
{
    public static void MapSimulatorEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/sessions/{sessionId}/dev/scan", Scan).WithTags("Development").RequireAuthorization(Auth.Scopes.SessionsWrite);
    }

    private static async Task<IResult> Scan(string sessionId, ScanRequest request, ClaimsPrincipal user, IClusterClient cluster)
    {
        var errors = new FieldErrors();
        var phone = PhoneNumberField.Normalise(request.PhoneNumber, out var phoneError);
        if (phoneError is not null) errors.Add("phoneNumber", phoneError);
        if (request.ProfileName is { } profile && (profile.Length > 100 || profile.Any(char.IsControl)))
            errors.Add("profileName", "must be at most 100 printable characters.");
        if (errors.Any) return Problem.Invalid(errors);
        if (!SessionRoutes.IsWellFormed(sessionId)) return Problem.NotFound($"Session '{sessionId}'");

        var session = cluster.Session(user, sessionId);
        var qr = await session.GetQr();
        if (qr.Error != Contracts.Sessions.SessionError.None) return SessionEndpoints.ErrorResult(qr.Error, sessionId);
        var outcome = await cluster.GetGrain<ISimulatedPhoneGrain>(phone!).ScanQr(qr.Qr!.Value, request.ProfileName ?? $"Phone {phone}");
        return outcome == PairOutcome.Paired
            ? TypedResults.Ok(await session.Get())
            : Problem.Conflict("The QR code changed or expired before the scan; fetch it again.");
    }
}
