using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using OrleansSaas.Contracts.Cluster;
using OrleansSaas.Contracts.Sessions;
using OrleansSaas.Gateway.Problems;
using OrleansSaas.Gateway.Sessions;

namespace OrleansSaas.Gateway.Cluster;

public sealed record MoveSessionRequest(string? Silo);

public sealed record MoveSessionResponse(string TenantId, string SessionId, string Silo, string? PreviousSilo);

public sealed record DrainResponse(string Silo, string Status, int Moved, int Failed, int Remaining);

public sealed record UndrainResponse(string Silo, string Status);

public sealed record RebalanceResponse(int Moves, int Failed, IReadOnlyDictionary<string, int> Before, IReadOnlyDictionary<string, int> After);

/// <summary>
/// Operators move sessions between silos: one session, every session of a silo (drain), or enough to even
/// the silos out (rebalance). Each answers when the moves are done; the sessions reconnect by themselves.
/// </summary>
public static class ClusterOperationEndpoints
{
    private const string SiloHint = "GET /v1/admin/silos lists the silos' addresses";

    public static void MapClusterOperationEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapPost("/sessions/{tenantId}/{sessionId}/move", Move).WithTags("Admin").ProducesProblem(422).ProducesProblem(409);
        admin.MapPost("/silos/{silo}/drain", Drain).WithTags("Admin").ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);
        admin.MapPost("/silos/{silo}/undrain", Undrain).WithTags("Admin").ProducesProblem(404);
        admin.MapPost("/rebalance", Rebalance).WithTags("Admin");
    }

    private static async Task<Results<Ok<MoveSessionResponse>, ValidationProblem, ProblemHttpResult>> Move(
        string tenantId, string sessionId, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] MoveSessionRequest? request, IClusterClient cluster)
    {
        if (string.IsNullOrWhiteSpace(request?.Silo)) return Problem.Invalid("silo", $"is required: the address of the silo to move the session to ({SiloHint}).");
        if (!SessionRoutes.IsWellFormed(tenantId) || !SessionRoutes.IsWellFormed(sessionId)) return SessionNotFound(tenantId, sessionId);

        var silo = request.Silo.Trim();
        var reply = await Operations(cluster).MoveSession(SessionKey.Format(tenantId, sessionId), silo);
        return reply.Error switch
        {
            ClusterOperationError.None => TypedResults.Ok(new MoveSessionResponse(tenantId, sessionId, reply.Silo!, reply.PreviousSilo)),
            ClusterOperationError.SessionNotFound => SessionNotFound(tenantId, sessionId),
            ClusterOperationError.NotMoved => Problem.ClusterConflict($"The session could not be placed on {silo} (it filled up or stopped meanwhile); it now lives on {reply.Silo}."),
            var error => Problem.Unprocessable("silo", UnusableSilo(error)),
        };
    }

    private static async Task<Results<Ok<DrainResponse>, ProblemHttpResult>> Drain(string silo, IClusterClient cluster)
    {
        var reply = await Operations(cluster).Drain(silo);
        return reply.Error switch
        {
            ClusterOperationError.None => TypedResults.Ok(new DrainResponse(silo, "draining", reply.Moved, reply.Failed, reply.Remaining)),
            ClusterOperationError.UnknownSilo => Problem.NotFound($"Silo '{silo}'"),
            ClusterOperationError.NoOtherSilo => Problem.ClusterConflict("No other active silo can take its sessions; start another silo first."),
            var error => Problem.Unprocessable("silo", UnusableSilo(error)),
        };
    }

    private static async Task<Results<Ok<UndrainResponse>, ProblemHttpResult>> Undrain(string silo, IClusterClient cluster) =>
        await Operations(cluster).Undrain(silo) == ClusterOperationError.UnknownSilo
            ? Problem.NotFound($"Silo '{silo}'")
            : TypedResults.Ok(new UndrainResponse(silo, "active"));

    private static async Task<Ok<RebalanceResponse>> Rebalance(IClusterClient cluster)
    {
        var report = await Operations(cluster).Rebalance("admin");
        return TypedResults.Ok(new RebalanceResponse(report.Moves, report.Failed, report.Before, report.After));
    }

    private static IClusterOperationsGrain Operations(IClusterClient cluster) => cluster.GetGrain<IClusterOperationsGrain>(0);

    private static ProblemHttpResult SessionNotFound(string tenantId, string sessionId) => Problem.NotFound($"Session '{sessionId}' of tenant '{tenantId}'");

    private static string UnusableSilo(ClusterOperationError error) => error switch
    {
        ClusterOperationError.UnknownSilo => $"is not a silo of this cluster ({SiloHint}).",
        ClusterOperationError.SiloNotActive => "is not active (joining, stopping or dead).",
        ClusterOperationError.SiloDraining => "is draining; undrain it first.",
        ClusterOperationError.SiloFull => "hosts its maximum number of sessions.",
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, null),
    };
}
