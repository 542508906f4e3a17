using OrleansSaas.Gateway.Auth;
using System.Security.Claims;
using System.Text.RegularExpressions;
using OrleansSaas.Contracts.Sessions;

namespace OrleansSaas.Gateway.Sessions;

/// <summary>Resolves a session id from a route to the tenant's own session grain.</summary>
public static partial class SessionRoutes
{
    /// <summary>Ids this gateway issues (and that a route may name); anything else cannot exist.</summary>
    public static bool IsWellFormed(string sessionId) => WellFormedId().IsMatch(sessionId);

    public static ISessionGrain Session(this IClusterClient cluster, ClaimsPrincipal user, string sessionId) =>
        cluster.GetGrain<ISessionGrain>(SessionKey.Format(user.TenantId(), sessionId));

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex WellFormedId();
}
